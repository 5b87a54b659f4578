@doc:connect-payments @req:connect.abort
Feature: Abort through Kushki ONE Connect
  /abort immediately cancels a transaction in progress on the terminal (ref §1.4). It is signed
  over the literal {} and answers {aborted, client_transaction_id, message}; it works only before
  APPROVAL_REQUESTED, after which the charge continues at the acquirer (3P surpay; H7). GET on the
  local network, POST in the cloud (ref §1.2); the steps use the topology's method.

  @scripted-card @doc:3p-surpay @harness-defined
  Scenario: An abort while the terminal waits for a card cancels the charge
    Given the customer will present a card after 30 seconds
    When the POS starts charging 12.00 PEN
    And the POS aborts
    Then the POS gets the abort confirmed for the started charge
    And the answer came encrypted
    And the started charge ends with error "TER-007" with HTTP 409

  @scripted-card @faults @doc:3p-surpay @harness-defined
  Scenario: An aborted charge never reaches the acquirer
    Given the customer will present a card after 30 seconds
    When the POS starts charging 12.00 PEN
    And the POS aborts
    Then the started charge ends with error "TER-007" with HTTP 409
    And the acquirer received no transaction

  @scripted-card @doc:seed-first-steps @req:connect.terminal.waiting-for-call
  Scenario: After an abort the terminal waits for a call again
    Given the customer will present a card after 30 seconds
    When the POS starts charging 12.00 PEN
    And the POS aborts
    Then the started charge ends with error "TER-007" with HTTP 409
    When the POS charges 5.00 PEN
    Then the POS gets an approval

  @doc:3p-mesapay @harness-defined @req:connect.abort.idle
  Scenario: An abort with nothing in progress is refused
    When the POS aborts
    Then the POS gets error "TER-005" with HTTP 409
    And the error's type is "TERMINAL"
    And the answer came encrypted

  @faults @virtual-time @doc:3p-surpay @harness-defined @req:connect.abort.too-late
  Scenario: An abort after the approval was requested is refused and the charge goes on
    Given the acquirer will not answer the terminal
    When the POS starts charging 12.00 PEN
    And the terminal has asked the acquirer for approval
    And the POS aborts
    Then the POS gets error "TER-006" with HTTP 409
    When 60 seconds pass
    Then the started charge ends with error "TER-004" with HTTP 504

  @topology:lan @doc:connect-payments-co @req:connect.abort.lan-get
  Scenario: On the local network abort is GET, not POST
    When the POS aborts with POST
    Then the POS gets error "NF-003" with HTTP 404
    When the POS aborts with GET
    Then the POS gets error "TER-005" with HTTP 409

  @topology:localhost @doc:connect-payments-co @req:connect.abort.lan-get
  Scenario: On localhost abort is GET, not POST
    When the POS aborts with POST
    Then the POS gets error "NF-003" with HTTP 404
    When the POS aborts with GET
    Then the POS gets error "TER-005" with HTTP 409

  @topology:lan @doc:connect-payments-co @req:connect.abort.lan-get
  Scenario: On the local network the async abort route exists
    When the POS aborts with GET on the async route
    Then the POS gets error "TER-005" with HTTP 409

  @topology:cloud @doc:connect-payments-co @req:connect.cloud.abort-post
  Scenario: In the cloud abort is POST, not GET
    When the POS aborts with GET
    Then the POS gets error "NF-003" with HTTP 404
    When the POS aborts with POST
    Then the POS gets error "TER-005" with HTTP 409

  @topology:cloud @doc:connect-payments-co @req:connect.cloud.abort-post
  Scenario: In the cloud there is no async abort
    When the POS aborts with POST on the async route
    Then the POS gets error "NF-003" with HTTP 404
