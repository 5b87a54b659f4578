@doc:connect-payments @req:connect.charge
Feature: Charge through Kushki ONE Connect
  The POS sends /charge to the terminal; the terminal reads the card, asks the acquirer and
  answers with approved, message and the acquirer's rawResponse (ref §1.4, §1.7). The sale also
  supports tips, merchant and issuer installments and cashback (seed operations catalog).

  @doc:seed-first-steps @req:connect.topology.same-api @req:connect.sync @req:connect.auth.encrypted-answers
  Scenario: A charge is approved
    When the POS charges 12.50 PEN
    Then the POS gets an approval
    And the acquirer authorized 12.50 PEN
    And the answer came encrypted

  @doc:kushki-one-intro @req:connect.charge.ticket
  Scenario: An approved charge has an 18-digit ticket number
    When the POS charges 12.00 PEN
    Then the POS gets an approval
    And the answer carries an 18-digit ticket number

  @doc:raw-test-data @req:connect.charge.decline
  Scenario Outline: A test amount is declined by the issuer
    When the POS charges <amount>
    Then the POS gets a decline with code "<code>"

    Examples:
      | amount    | code |
      | 10.00 PEN | 01   |
      | 40.00 PEN | 04   |
      | 50.00 PEN | 05   |

  @doc:seed-first-steps @harness-defined @req:connect.charge.tip
  Scenario: A charge with a tip is authorized with the tip
    When the POS charges 12.00 PEN with a tip of 2.00 PEN
    Then the POS gets an approval
    And the acquirer authorized 14.00 PEN

  @doc:seed-first-steps @doc:3p-surpay @faults @req:connect.charge.cashback
  Scenario: A charge with cashback sends the cashback to the acquirer
    When the POS charges 20.00 PEN with cashback of 5.00 PEN
    Then the POS gets an approval
    And the acquirer received the charge with cashback of 5.00 PEN

  @doc:seed-first-steps @harness-defined @faults @req:connect.charge.merchant-installments
  Scenario: A charge in merchant installments is a deferred charge at the acquirer
    When the POS charges 300.00 PEN in 3 installments
    Then the POS gets an approval
    And the acquirer received the charge deferred over 3 months

  @doc:seed-first-steps @doc:3p-surpay @req:connect.charge.issuer-installments
  Scenario: A charge may ask for issuer installments
    When the POS charges 300.00 PEN asking for issuer installments
    Then the POS gets an approval

  @doc:connect-async @req:connect.charge.documented-fields
  Scenario: The documented request fields are accepted
    When the POS sends the charge plaintext:
      """
      {"amount": {"iva": 0, "subtotal_iva": 0, "subtotal_iva0": 12000, "extra_taxes": {"airport_tax": 0, "iac": 0, "ice": 0, "travel_agency": 0}}, "client_transaction_id": "{uuid}", "metadata": {"reference": "order-1018282", "customer_email": "buyer@example.com"}}
      """
    Then the POS gets an approval
    And the acquirer authorized 120.00 PEN

  @doc:3p-mesapay @doc:3p-surpay @harness-defined @req:connect.amount.minor-units @req:connect.markets
  Scenario Outline: Amounts are minor units of the market's currency
    Given the market is <market>
    When the POS charges <amount>
    Then the POS gets an approval
    And the acquirer authorized <amount>

    Examples:
      | market   | amount     |
      | Peru     | 12.34 PEN  |
      | Mexico   | 250.50 MXN |
      | Chile    | 1500 CLP   |
      | Colombia | 15000 COP  |

  @doc:raw-test-data @harness-defined @req:connect.amount.minor-units
  Scenario: Chile's test amounts are whole pesos
    Given the market is Chile
    When the POS charges 1000 CLP
    Then the POS gets a decline with code "01"
