@doc:connect-payments @req:connect.authorization
Feature: Pre-authorization through Kushki ONE Connect
  /authorization reserves funds on the card without capturing them (ref §1.4); the terminal asks
  the acquirer for a preAuth.

  Scenario: A pre-authorization is approved
    When the POS pre-authorizes 55.00 PEN
    Then the POS gets an approval
    And the acquirer authorized 55.00 PEN
    And the acquirer's transaction type is "preAuth"
    And the answer came encrypted

  @doc:raw-test-data
  Scenario: A pre-authorization of a test amount is declined by the issuer
    When the POS pre-authorizes 40.00 PEN
    Then the POS gets a decline with code "04"

  @req:connect.params.zero-amount @doc:connect-errors
  Scenario: A pre-authorization of nothing is refused
    When the POS pre-authorizes 0.00 PEN
    Then the POS gets error "PAR-003" with HTTP 400
    And the error's param is "amount"
