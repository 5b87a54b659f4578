@doc:seed-voids-refunds
Feature: Void
  A void cancels a transaction known to be approved, on the same day before 23:59 (Peru); it
  sends transaction_mode Void, the original's transaction_type and transaction_reference and a new
  client_transaction_id. Up to 3 attempts are made with the processor; after that, or after the
  cut-off, a refund is the way (seed).

  @req:raw.void @doc:raw-void-reverse
  Scenario: A charge is voided
    Given an approved charge of 60.00 PEN
    When the terminal app voids the charge
    Then the transaction is approved
    And the answer's transaction_type is "charge"

  @req:raw.void @doc:raw-void-reverse
  Scenario: A pre-authorization is voided
    Given an approved pre-authorization of 60.00 PEN
    When the terminal app voids the pre-authorization
    Then the transaction is approved
    And the answer's transaction_type is "preAuth"

  @req:raw.void @doc:raw-void-reverse
  Scenario: A capture is voided
    Given an approved pre-authorization of 60.00 PEN
    When the terminal app captures the pre-authorization
    Then the transaction is approved
    When the terminal app voids the capture
    Then the transaction is approved
    And the answer's transaction_type is "capture"

  @req:raw.void @doc:raw-void-reverse @harness-defined
  Scenario: Voiding a re-authorization voids the authorization it extended
    Given an approved pre-authorization of 60.00 PEN
    When the terminal app re-authorizes the pre-authorization for 70.00 PEN
    Then the transaction is approved
    When the terminal app voids the re-authorization
    Then the transaction is approved
    And the answer's transaction_type is "reAuthorization"
    When the terminal app captures the pre-authorization
    Then the request is refused with HTTP 400 and code "E908"

  @req:raw.void.type @harness-defined
  Scenario: A void whose transaction_type is not the original's is refused
    Given an approved charge of 60.00 PEN
    When the terminal app sends to "/pos/v1/transaction":
      """
      {"transaction_mode": "Void", "transaction_type": "preAuth", "client_transaction_id": "{uuid}",
       "transaction_reference": "{reference}"}
      """
    Then the request is refused with HTTP 400 and code "E910"

  @req:raw.void.once @harness-defined
  Scenario: A voided charge cannot be voided again
    Given an approved charge of 60.00 PEN
    When the terminal app voids the charge
    Then the transaction is approved
    When the terminal app voids the charge
    Then the request is refused with HTTP 400 and code "E908"

  @req:raw.void.partial-chile @country:CHL @doc:cl-voids-refunds-src
  Scenario: In Chile a void of less than the charge is a partial void
    Given the market is Chile
    And an approved charge of 10000 CLP
    When the terminal app voids 3000 CLP of the charge
    Then the transaction is approved
    And the authorized amount is 3000 CLP

  @req:raw.void.partial-elsewhere @req:raw.errors.e041 @country:PER @doc:cl-voids-refunds-src
  Scenario: In Peru a partial void is refused
    Given an approved charge of 100.00 PEN
    When the terminal app voids 40.00 PEN of the charge
    Then the request is refused with HTTP 400 and code "E041"
    And the error names "Partial void not allowed"
    And the error's origin is "Capture Validator"

  @req:raw.void.smart-void @country:CHL @doc:cl-voids-refunds-src @harness-defined
  Scenario: In Chile a smart void is processed as a refund
    Given the market is Chile
    And an approved charge of 25000 CLP
    When the terminal app smart-voids the charge
    Then the transaction is approved
    And the answer's transaction_type is "Refund"

  @req:raw.void.same-day @country:PER @virtual-time @doc:raw-cancel-payments
  Scenario: A void at 23:58:59 in Lima is approved
    Given the time is "2026-03-24 23:30:00" in Lima
    And an approved charge of 60.00 PEN
    When the time becomes "2026-03-24 23:58:59" in Lima
    And the terminal app voids the charge
    Then the transaction is approved

  @req:raw.void.same-day @req:raw.errors.harness-codes @country:PER @virtual-time @doc:raw-cancel-payments
  Scenario: A void at 23:59:00 in Lima is refused and points to a refund
    Given the time is "2026-03-24 23:30:00" in Lima
    And an approved charge of 60.00 PEN
    When the time becomes "2026-03-24 23:59:00" in Lima
    And the terminal app voids the charge
    Then the request is refused with HTTP 400 and code "E904"
    And the error names "/pos/v1/refund"

  @req:raw.void.same-day @country:PER @virtual-time
  Scenario: A void on the day after the charge is refused
    Given an approved charge of 60.00 PEN
    When 1 day passes
    And the terminal app voids the charge
    Then the request is refused with HTTP 400 and code "E904"

  @req:raw.void.cutoff-zone @country:CHL @virtual-time @harness-defined
  Scenario: In Chile the void cut-off is 23:59 in Santiago: 23:58:59 is approved
    Given the market is Chile
    And the time is "2026-03-24 23:30:00" in Santiago
    And an approved charge of 10000 CLP
    When the time becomes "2026-03-24 23:58:59" in Santiago
    And the terminal app voids the charge
    Then the transaction is approved

  @req:raw.void.cutoff-zone @country:CHL @virtual-time @harness-defined
  Scenario: In Chile the void cut-off is 23:59 in Santiago: 23:59:00 is refused
    Given the market is Chile
    And the time is "2026-03-24 23:30:00" in Santiago
    And an approved charge of 10000 CLP
    When the time becomes "2026-03-24 23:59:00" in Santiago
    And the terminal app voids the charge
    Then the request is refused with HTTP 400 and code "E904"

  @req:raw.void.attempts @req:raw.response.issuer-code @faults
  Scenario: A third void attempt may still succeed after two declined attempts
    Given an approved charge of 60.00 PEN
    And the acquirer will answer voids with issuer code "05" 2 times
    When the terminal app voids the charge
    Then the transaction is declined with code "05"
    When the terminal app voids the charge
    Then the transaction is declined with code "05"
    When the terminal app voids the charge
    Then the transaction is approved

  @req:raw.void.attempts @req:raw.errors.harness-codes @faults
  Scenario: After three declined voids a fourth is refused and a refund the same day is approved
    Given an approved charge of 60.00 PEN
    And the acquirer will answer voids with issuer code "05" 3 times
    When the terminal app voids the charge
    Then the transaction is declined with code "05"
    When the terminal app voids the charge
    Then the transaction is declined with code "05"
    When the terminal app voids the charge
    Then the transaction is declined with code "05"
    When the terminal app voids the charge
    Then the request is refused with HTTP 400 and code "E906"
    And the error names "/pos/v1/refund"
    When the terminal app refunds the charge
    Then the transaction is approved
