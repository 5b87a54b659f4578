@doc:connect-payments @doc:connect-payments-co @req:connect.lan.routes
Feature: Routes on the local network and localhost
  On the local network the older PE/CL/MX pages put operations under /terminal/v1/sync/, the
  newer CO page directly under /terminal/v1/ (ref §1.2); the terminal serves both. Localhost
  serves the same routes (harness-defined, ref §5 #6).

  @topology:lan
  Scenario Outline: The LAN serves the operation with and without the sync prefix
    When the POS charges 12.00 PEN on the route "<route>"
    Then the POS gets an approval

    Examples:
      | route       |
      | charge      |
      | sync/charge |

  @topology:localhost @harness-defined
  Scenario Outline: Localhost serves the operation with and without the sync prefix
    When the POS charges 12.00 PEN on the route "<route>"
    Then the POS gets an approval

    Examples:
      | route       |
      | charge      |
      | sync/charge |
