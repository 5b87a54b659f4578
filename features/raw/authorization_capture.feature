@doc:raw-auth-capture
Feature: Authorization and capture on the raw card-present API
  A pre-authorization (transaction_type preAuth) holds an amount on the card; a capture
  (transaction_type capture) with the pre-authorization's transaction_reference takes it
  (ref §2.3). The reference "must be from an authorization, not from a reauthorization".

  @req:raw.preauth
  Scenario: A pre-authorization is approved and holds its amount
    When the terminal app pre-authorizes 80.00 PEN
    Then the transaction is approved
    And the authorized amount is 80.00 PEN
    And the answer's transaction_type is "preAuth"

  @req:raw.capture @req:raw.capture.amount @harness-defined
  Scenario: A capture without amount captures the whole authorized amount
    Given an approved pre-authorization of 80.00 PEN
    When the terminal app captures the pre-authorization
    Then the transaction is approved
    And the authorized amount is 80.00 PEN
    And the answer's transaction_type is "capture"

  @req:raw.capture @req:raw.capture.amount @harness-defined
  Scenario: A capture for less than authorized captures that amount
    Given an approved pre-authorization of 80.00 PEN
    When the terminal app captures the pre-authorization for 65.50 PEN
    Then the transaction is approved
    And the authorized amount is 65.50 PEN

  @req:raw.capture.amount @req:raw.errors.e041 @harness-defined
  Scenario: A capture for more than authorized is refused
    Given an approved pre-authorization of 80.00 PEN
    When the terminal app captures the pre-authorization for 80.01 PEN
    Then the request is refused with HTTP 400 and code "E041"

  @req:raw.capture.from-authorization @harness-defined
  Scenario: A capture that references a re-authorization is refused
    Given an approved pre-authorization of 80.00 PEN
    When the terminal app re-authorizes the pre-authorization for 90.00 PEN
    Then the transaction is approved
    When the terminal app captures the re-authorization
    Then the request is refused with HTTP 400 and code "E910"

  @req:raw.capture.once @harness-defined
  Scenario: A pre-authorization is captured once
    Given an approved pre-authorization of 80.00 PEN
    When the terminal app captures the pre-authorization
    Then the transaction is approved
    When the terminal app captures the pre-authorization
    Then the request is refused with HTTP 400 and code "E912"

  @req:raw.void.once @harness-defined
  Scenario: A voided pre-authorization can no longer be captured
    Given an approved pre-authorization of 80.00 PEN
    When the terminal app voids the pre-authorization
    Then the transaction is approved
    When the terminal app captures the pre-authorization
    Then the request is refused with HTTP 400 and code "E908"
