@topology:cloud @doc:seed-first-steps
Feature: The cloud relay
  In the cloud the POS calls https://{host}/terminal/v1/{terminalSerial}/sync/{operation} and
  Kushki's servers forward the command to the terminal (seed). A terminal that is not online
  (or whose Kushki ONE Connect is not active) gets CLOUDPAYMENT_VALIDATION_ERROR before any
  signature check (3P mesapay; 503 harness-defined).

  @req:connect.cloud.route
  Scenario: A charge through the cloud names the serial and the sync prefix
    When the POS charges 12.00 PEN on the route "sync/charge"
    Then the POS gets an approval

  @harness-defined @req:connect.cloud.route
  Scenario: A cloud route without sync or async is unknown
    When the POS charges 12.00 PEN on the route "charge"
    Then the POS gets error "NF-003" with HTTP 404

  @doc:3p-mesapay @harness-defined @req:connect.cloud.offline
  Scenario: A serial with no live link is offline
    When the POS charges 12.00 PEN through the cloud for a serial with no live link
    Then the POS gets error "CLOUDPAYMENT_VALIDATION_ERROR" with HTTP 503
    And the answer came in plain JSON

  @faults @doc:3p-mesapay @harness-defined @req:connect.cloud.offline
  Scenario: A link that drops mid-request ends it with the offline error
    Given the terminal's cloud link will drop during the next request
    When the POS charges 12.00 PEN
    Then the POS gets error "CLOUDPAYMENT_VALIDATION_ERROR" with HTTP 503
    And the terminal links to the cloud again
    When the POS charges 5.00 PEN
    Then the POS gets an approval
