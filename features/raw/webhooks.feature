@doc:cp-webhooks @faults
Feature: Card-present webhooks
  Approved and rejected card payments, voids, refunds and reversals are notified to the
  merchant's webhook (ref §2.9). Every delivery carries X-Kushki-Key, X-Kushki-Id (Unix time in
  ms), X-Kushki-Signature (hex HMAC-SHA256 of the body, ".", and the id) and
  X-Kushki-SimpleSignature (hex HMAC-SHA256 of the id), keyed with the merchant's webhook
  signature key; "on rare occasions, you could obtain a duplicate notification" (add §3). The
  receiver here checks both signatures itself. Kushki configures the webhook in its Console; the
  mock acquirer through its admin API, so these scenarios need @faults.

  @req:raw.webhooks.events @req:raw.webhooks.signature
  Scenario: An approved charge is notified, signed
    Given a webhook receiver with the signature key "whsec-conformance-1"
    When the terminal app charges 30.00 PEN
    Then the transaction is approved
    And the receiver gets 1 signed notification
    And notification 1 reports the charge as SALE with status APPROVAL

  @req:raw.webhooks.events @req:raw.webhooks.signature
  Scenario: A declined charge is notified
    Given a webhook receiver with the signature key "whsec-conformance-2"
    When the terminal app charges 50.00 PEN
    Then the transaction is declined with code "05"
    And the receiver gets 1 signed notification
    And notification 1 reports the charge as SALE with status DECLINED

  @req:raw.webhooks.events
  Scenario: A void is notified after its charge
    Given a webhook receiver with the signature key "whsec-conformance-3"
    When the terminal app charges 30.00 PEN
    Then the receiver gets 1 signed notification
    When the terminal app voids the charge
    Then the transaction is approved
    And the receiver gets 2 signed notifications
    And notification 1 reports the charge as SALE with status APPROVAL
    And notification 2 reports the void as VOID with status APPROVAL

  @req:raw.webhooks.events @virtual-time
  Scenario: A refund is notified
    Given a webhook receiver with the signature key "whsec-conformance-4"
    When the terminal app charges 30.00 PEN
    Then the receiver gets 1 signed notification
    When 1 day passes
    And the terminal app refunds 10.00 PEN of the charge
    Then the transaction is approved
    And the receiver gets 2 signed notifications
    And notification 2 reports the refund as REFUND with status APPROVAL

  @req:raw.webhooks.reversals @virtual-time @doc:seed-voids-refunds
  Scenario: A reversal is notified
    Given a webhook receiver with the signature key "whsec-conformance-5"
    When the terminal app charges 30.00 PEN
    Then the receiver gets 1 signed notification
    When 1 minute passes
    And the terminal app reverses the charge
    Then the transaction is approved
    And the receiver gets 2 signed notifications
    And notification 2 reports the reverse with status APPROVAL

  @req:raw.webhooks.duplicates
  Scenario: A duplicate notification carries the same body
    Given a webhook receiver with the signature key "whsec-conformance-6"
    And the acquirer will deliver the next notification twice
    When the terminal app charges 30.00 PEN
    Then the transaction is approved
    And the receiver gets 2 signed notifications
    And notifications 1 and 2 are the same notification
    And notification 2 reports the charge as SALE with status APPROVAL

  @req:raw.webhooks.retries @harness-defined
  Scenario: A receiver that keeps failing gets a bounded number of attempts
    Given a webhook receiver that answers HTTP 500
    When the terminal app charges 30.00 PEN
    Then the transaction is approved
    And the receiver gets 3 attempts of the same notification and no more
