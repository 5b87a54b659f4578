@harness-defined
Feature: Idempotency by client_transaction_id
  Kushki says client_transaction_id is "a unique ID per transaction" (add §6.2) but not what a
  duplicate gets (ref §5 #16). The harness: the same request again is a retry and gets the first
  answer, creating nothing; the same id with another body is a conflict, 409 E905.

  @req:raw.idempotency.replay @faults
  Scenario: A charge sent twice is answered the same and recorded once
    When the terminal app charges 25.00 PEN
    Then the transaction is approved
    When the terminal app sends the same charge again
    Then the answer is the same as the first
    And the acquirer recorded 1 transaction

  @req:raw.idempotency.replay
  Scenario: A declined charge sent again gets the same decline
    When the terminal app charges 50.00 PEN
    Then the transaction is declined with code "05"
    When the terminal app sends the same charge again
    Then the answer is the same as the first
    And the transaction is declined with code "05"

  @req:raw.idempotency.conflict @req:raw.http.409 @req:raw.errors.harness-codes
  Scenario: The same client_transaction_id with another body is a conflict
    When the terminal app charges 25.00 PEN
    Then the transaction is approved
    When the terminal app sends another charge with the same client_transaction_id
    Then the request is refused with HTTP 409 and code "E905"

  @req:raw.idempotency.replay @req:raw.http.5xx @faults
  Scenario: A charge that failed with 503 is retried with the same client_transaction_id and approved
    Given the acquirer will answer the next charge with HTTP 503
    When the terminal app charges 25.00 PEN
    Then the request fails with HTTP 503
    When the terminal app sends the same charge again
    Then the transaction is approved
    And the acquirer recorded 1 transaction
