@doc:raw-test-data
Feature: Test amounts
  In the test environment the amount chooses the issuer's answer: "include the code that applies
  to the scenario you want to test in the amount field", the amount being the sum of every value
  of the amount object (ref §2.7). Peru and Mexico use 10, 40, 50, 74 and 174; Chile the same
  values ×100, in whole pesos. Any other valid amount is approved.

  The immediate outcomes run against any target; the delayed ones need the clock, since the
  length of the delay is the harness's (20 s of clock time, ref §2.7: not documented).

  @req:raw.test-amounts.declines @req:raw.response.issuer-code
  Scenario Outline: An authorization of <amount> is declined with <code> in <market>
    Given the market is <market>
    When the terminal app charges <amount>
    Then the transaction is declined with code "<code>"

    Examples:
      | market | amount    | code |
      | Peru   | 10.00 PEN | 01   |
      | Peru   | 40.00 PEN | 04   |
      | Peru   | 50.00 PEN | 05   |
      | Mexico | 10.00 MXN | 01   |
      | Mexico | 40.00 MXN | 04   |
      | Mexico | 50.00 MXN | 05   |
      | Chile  | 1000 CLP  | 01   |
      | Chile  | 4000 CLP  | 04   |
      | Chile  | 5000 CLP  | 05   |

  @req:raw.test-amounts.declines
  Scenario: A pre-authorization of a test amount is declined too
    When the terminal app pre-authorizes 40.00 PEN
    Then the transaction is declined with code "04"

  @req:raw.test-amounts.other
  Scenario Outline: An authorization of <amount> in <market> is approved (<why>)
    Given the market is <market>
    When the terminal app charges <amount>
    Then the transaction is approved

    Examples:
      | market | amount     | why                                          |
      | Peru   | 12.00 PEN  | not a test amount                            |
      | Mexico | 100.00 MXN | not a test amount                            |
      | Chile  | 25000 CLP  | not a test amount                            |
      | Chile  | 10 CLP     | Chile uses the values ×100                   |
      | Chile  | 50 CLP     | Chile uses the values ×100                   |
      | Peru   | 10.50 PEN  | only whole test values match (harness)       |

  @req:raw.test-amounts.delayed-void-reverse
  Scenario Outline: A charge of <amount> is approved at once: that value applies to voids and reverses
    Given the market is <market>
    When the terminal app charges <amount>
    Then the transaction is approved

    Examples:
      | market | amount     |
      | Peru   | 174.00 PEN |
      | Chile  | 17400 CLP  |

  @req:raw.test-amounts.sum @req:raw.request.amount-sum
  Scenario: The test value is matched against the sum of the amount object
    When the terminal app charges the amount object:
      | subtotal_iva0 | 6.00 PEN |
      | tip           | 4.00 PEN |
    Then the transaction is declined with code "01"

  @virtual-time @harness-defined
  @req:raw.test-amounts.delayed-authorization @req:raw.test-amounts.delayed-void-reverse @req:raw.test-amounts.delay-length
  Scenario Outline: <operation> of <amount> in <market> is approved with delay
    Given the market is <market>
    When the terminal app starts <operation> of <amount>
    Then the acquirer has not answered after 19 seconds of clock time
    When 1 second passes
    Then the delayed answer arrives
    And the transaction is approved

    Examples:
      | market | operation            | amount     |
      | Peru   | a charge             | 74.00 PEN  |
      | Mexico | a charge             | 74.00 MXN  |
      | Chile  | a charge             | 7400 CLP   |
      | Peru   | a void of a charge   | 174.00 PEN |
      | Peru   | a reverse of a charge | 174.00 PEN |
      | Mexico | a void of a charge   | 174.00 MXN |
      | Chile  | a void of a charge   | 17400 CLP  |
      | Chile  | a reverse of a charge | 17400 CLP  |
