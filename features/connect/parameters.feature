@doc:connect-errors @req:connect.errors.envelope
Feature: Parameter errors
  A request the terminal cannot accept is answered with the LinkFailure envelope {type, code,
  param, message, object}, type PARAMETER, param naming the exact field (ref §1.7). PAR-003 is
  documented; the other PAR- numbers are the harness's (ref §5 #8): PAR-001 missing, PAR-002 wrong
  type or format, PAR-004 unknown field.

  @harness-defined @req:connect.params.missing
  Scenario: A charge without client_transaction_id is refused naming the field
    When the POS sends the charge plaintext:
      """
      {"amount": {"subtotal_iva": 0, "subtotal_iva0": 1200, "iva": 0}}
      """
    Then the POS gets error "PAR-001" with HTTP 400
    And the error's type is "PARAMETER"
    And the error's param is "client_transaction_id"

  @req:connect.params.zero-amount
  Scenario: A charge of zero is refused as the catalog's example shows
    When the POS sends the charge plaintext:
      """
      {"client_transaction_id": "{uuid}", "amount": {"subtotal_iva": 0, "subtotal_iva0": 0, "iva": 0}}
      """
    Then the POS gets error "PAR-003" with HTTP 400
    And the error's type is "PARAMETER"
    And the error's param is "amount"
    And the error's message is "Amount must be a value greater than 0"
    And the error's object names the request's client_transaction_id and the terminal

  @harness-defined @req:connect.params.unknown-field
  Scenario: A field the charge does not know is refused naming it
    When the POS sends the charge plaintext:
      """
      {"client_transaction_id": "{uuid}", "amount": {"subtotal_iva": 0, "subtotal_iva0": 1200, "iva": 0}, "colour": "red"}
      """
    Then the POS gets error "PAR-004" with HTTP 400
    And the error's param is "colour"

  @harness-defined @req:connect.params.invalid @req:connect.amount.minor-units
  Scenario: A fractional number of minor units is refused naming the field
    When the POS sends the charge plaintext:
      """
      {"client_transaction_id": "{uuid}", "amount": {"subtotal_iva": 0, "subtotal_iva0": 12.5, "iva": 0}}
      """
    Then the POS gets error "PAR-002" with HTTP 400
    And the error's param is "amount.subtotal_iva0"

  @harness-defined @req:connect.params.invalid
  Scenario: A field of the wrong type is refused naming it
    When the POS sends the charge plaintext:
      """
      {"client_transaction_id": 1018282, "amount": {"subtotal_iva": 0, "subtotal_iva0": 1200, "iva": 0}}
      """
    Then the POS gets error "PAR-002" with HTTP 400
    And the error's param is "client_transaction_id"

  @harness-defined @req:connect.params.missing
  Scenario: A post tip without its tip is refused naming the field
    Given a POS-approved charge of 20.00 PEN
    When the POS sends the pos_tip plaintext:
      """
      {"client_transaction_id": "{uuid}", "transaction_reference": "{charge}"}
      """
    Then the POS gets error "PAR-001" with HTTP 400
    And the error's param is "tip"

  @harness-defined @req:connect.params.missing
  Scenario: A re-authorization without its amount is refused naming the field
    Given a POS-approved pre-authorization of 55.00 PEN
    When the POS sends the re_authorization plaintext:
      """
      {"client_transaction_id": "{uuid}", "transaction_reference": "{pre-authorization}"}
      """
    Then the POS gets error "PAR-001" with HTTP 400
    And the error's param is "amount"
