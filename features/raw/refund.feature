@doc:seed-voids-refunds
Feature: Refund
  A refund (POST /pos/v1/refund, transaction_mode Authorization, transaction_type refund) returns
  money of a transaction approved on an earlier day, or after the void's cut-off or three failed
  voids; it names the original by transaction_reference, carries its own client_transaction_id,
  and includes the amount object for a partial refund. "The maximum time allowed to process a
  refund is 120 days" (seed).

  @req:raw.refund @virtual-time @doc:raw-refund
  Scenario: A charge is refunded in full the next day
    Given an approved charge of 90.00 PEN
    When 1 day passes
    And the terminal app refunds the charge
    Then the transaction is approved
    And the authorized amount is 90.00 PEN
    And the answer's transaction_type is "Refund"

  @req:raw.refund.partial @virtual-time @doc:raw-refund
  Scenario: A charge is refunded in part
    Given an approved charge of 90.00 PEN
    When 1 day passes
    And the terminal app refunds 30.00 PEN of the charge
    Then the transaction is approved
    And the authorized amount is 30.00 PEN

  @req:raw.refund.sum @req:raw.errors.harness-codes @virtual-time @harness-defined
  Scenario: Partial refunds may add up to the charge but not past it
    Given an approved charge of 90.00 PEN
    When 1 day passes
    And the terminal app refunds 60.00 PEN of the charge
    Then the transaction is approved
    When the terminal app refunds 30.01 PEN of the charge
    Then the request is refused with HTTP 400 and code "E907"
    When the terminal app refunds 30.00 PEN of the charge
    Then the transaction is approved

  @req:raw.refund.sum @req:raw.errors.harness-codes @virtual-time @harness-defined
  Scenario: A charge refunded in full cannot be refunded again
    Given an approved charge of 90.00 PEN
    When 1 day passes
    And the terminal app refunds the charge
    Then the transaction is approved
    When the terminal app refunds 1.00 PEN of the charge
    Then the request is refused with HTTP 400 and code "E909"

  @req:raw.refund.window @req:raw.http.412 @doc:cl-voids-refunds-src
  Scenario: A refund on the day of the charge, before the cut-off, is refused: that is a void
    Given an approved charge of 90.00 PEN
    When the terminal app refunds 10.00 PEN of the charge
    Then the request is refused with HTTP 412 and code "E016"
    And the error's origin is "Refund Validator"

  @req:raw.refund.window @virtual-time
  Scenario Outline: A refund <days> days after the charge is approved
    Given an approved charge of 90.00 PEN
    When <days> days pass
    And the terminal app refunds 10.00 PEN of the charge
    Then the transaction is approved

    Examples:
      | days |
      | 1    |
      | 120  |

  @req:raw.refund.window @req:raw.http.412 @virtual-time
  Scenario: A refund 121 days after the charge is refused
    Given an approved charge of 90.00 PEN
    When 121 days pass
    And the terminal app refunds 10.00 PEN of the charge
    Then the request is refused with HTTP 412 and code "E016"

  @req:raw.refund.instead-of-void @virtual-time @country:PER
  Scenario: At 23:59:00 the charge can no longer be voided but is refunded
    Given the time is "2026-03-24 20:00:00" in Lima
    And an approved charge of 90.00 PEN
    When the time becomes "2026-03-24 23:59:00" in Lima
    And the terminal app voids the charge
    Then the request is refused with HTTP 400 and code "E904"
    When the terminal app refunds the charge
    Then the transaction is approved

  @req:raw.refund.endpoint @doc:raw-refund
  Scenario: A refund sent to the transaction route is refused naming transaction_type
    Given an approved charge of 90.00 PEN
    When the terminal app sends to "/pos/v1/transaction":
      """
      {"amount": {"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 90},
       "transaction_mode": "Authorization", "transaction_type": "refund",
       "client_transaction_id": "{uuid}", "transaction_reference": "{reference}"}
      """
    Then the request is refused with HTTP 400 and code "E001"
    And the error names "transaction_type"

  @req:raw.refund.captured-preauth @virtual-time
  Scenario: A captured pre-authorization is refunded through its capture
    Given an approved pre-authorization of 90.00 PEN
    When the terminal app captures the pre-authorization
    Then the transaction is approved
    When 1 day passes
    And the terminal app refunds the capture
    Then the transaction is approved

  @req:raw.void.once @virtual-time @harness-defined
  Scenario: A voided charge cannot be refunded
    Given an approved charge of 90.00 PEN
    When the terminal app voids the charge
    Then the transaction is approved
    When 1 day passes
    And the terminal app refunds the charge
    Then the request is refused with HTTP 400 and code "E908"
