@doc:connect-payments @req:connect.charge
Feature: Charge through Kushki ONE Connect
  The POS sends /charge to the terminal; the terminal reads the card, asks the acquirer and
  answers with approved, message and the acquirer's rawResponse (ref §1.4, §1.7).

  Scenario: A charge is approved
    When the POS charges 12.50 PEN
    Then the POS gets an approval
    And the answer came encrypted

  @doc:raw-test-data @req:connect.charge
  Scenario: A test amount is declined by the issuer
    When the POS charges 10.00 PEN
    Then the POS gets a decline with code "01"
