@doc:connect-async
Feature: Asynchronous operations and their events
  /async/{operation} answers at once with TERMINAL_ACKNOWLEDGED and an empty previous_status; the
  terminal then posts one event per state change to events_webhook_url, in the same envelope,
  ending with APPROVAL or DECLINED (ref §1.3), or TERMINAL_CANCELED (3P surpay). The final event
  carries the answer the sync route would have given (harness-defined H6).

  @req:connect.async.ack @req:connect.async.events
  Scenario: An async charge is acknowledged, then reported state by state
    Given an events receiver
    When the POS charges 12.00 PEN asynchronously
    Then the POS is acknowledged with TERMINAL_ACKNOWLEDGED
    And the events receiver gets CARD_PRESENTED, APPROVAL_REQUESTED and APPROVAL in order
    And each event names the status before it as previous_status
    And the final event carries an approval

  @doc:raw-test-data @req:connect.async.events
  Scenario: A declined async charge ends with DECLINED
    Given an events receiver
    When the POS charges 10.00 PEN asynchronously
    Then the POS is acknowledged with TERMINAL_ACKNOWLEDGED
    And the events receiver gets CARD_PRESENTED, APPROVAL_REQUESTED and DECLINED in order
    And the final event carries a decline

  @scripted-card @virtual-time @req:connect.async.ack
  Scenario: The acknowledgement does not wait for the card
    Given an events receiver
    And the customer will present a card after 30 seconds
    When the POS charges 12.00 PEN asynchronously
    Then the POS is acknowledged with TERMINAL_ACKNOWLEDGED
    When 30 seconds pass
    Then the events receiver gets CARD_PRESENTED, APPROVAL_REQUESTED and APPROVAL in order

  @scripted-card @doc:3p-surpay @doc:3p-mesapay @req:connect.async.cancelled
  Scenario: An async charge the customer cancels ends with TERMINAL_CANCELED
    Given an events receiver
    And the customer will cancel
    When the POS charges 12.00 PEN asynchronously
    Then the POS is acknowledged with TERMINAL_ACKNOWLEDGED
    And the events receiver gets TERMINAL_CANCELED in order
    And each event names the status before it as previous_status
    And the final event carries error "-1"

  @scripted-card @topology:lan @doc:connect-payments-co @harness-defined @req:connect.async.cancelled @req:connect.abort.lan-get
  Scenario: An async charge aborted through the async route ends with TERMINAL_CANCELED
    Given an events receiver
    And the customer will present a card after 30 seconds
    When the POS charges 12.00 PEN asynchronously
    And the POS aborts with GET on the async route
    Then the POS gets the abort confirmed for the asynchronous charge
    And the events receiver gets TERMINAL_CANCELED in order
    And the final event carries error "TER-007"

  @harness-defined @req:connect.async.webhook-url
  Scenario: An async charge without events_webhook_url is refused
    When the POS charges 12.00 PEN asynchronously without an events_webhook_url
    Then the POS gets error "PAR-006" with HTTP 400
    And the error's param is "events_webhook_url"
