@doc:seed-first-steps
Feature: The terminal's state and its card reader
  In Semi-Integrated mode the terminal waits for a call and reacts only to the POS's commands
  (seed). One command at a time: a second one while busy is TER-003, 409 (3P surpay). The
  customer acts at the reader: a cancel answers HTTP 200 {type TERMINAL-SUNMI, code -1} (3P
  mesapay); a removed card, a reader timeout after 60 s of clock and a wrong PIN end the command
  (harness-defined: TER-002, TER-001, decline 55).

  @scripted-card @virtual-time @doc:3p-surpay @req:connect.terminal.busy @req:connect.terminal.waiting-for-call
  Scenario: A command while a charge waits for a card is refused, then the terminal waits for a call again
    Given the customer will present a card after 30 seconds
    When the POS starts charging 12.00 PEN
    And the POS charges 5.00 PEN
    Then the POS gets error "TER-003" with HTTP 409
    And the error's type is "TERMINAL"
    And the answer came encrypted
    When 30 seconds pass
    Then the started charge is approved
    When the POS charges 5.00 PEN
    Then the POS gets an approval

  @scripted-card @doc:3p-mesapay @req:connect.terminal.customer-cancel
  Scenario: The customer cancels on the terminal
    Given the customer will cancel
    When the POS charges 12.00 PEN
    Then the POS gets error "-1" with HTTP 200
    And the error's type is "TERMINAL-SUNMI"
    And the error's message is "User cancel the process"
    And the answer has no "approved" field

  @scripted-card @harness-defined @req:connect.terminal.card-removed
  Scenario: The card is removed before the read ends
    Given the customer will remove the card
    When the POS charges 12.00 PEN
    Then the POS gets error "TER-002" with HTTP 409
    And the error's type is "TERMINAL"

  @scripted-card @virtual-time @harness-defined @req:connect.terminal.reader-timeout
  Scenario: With no card the reader times out after 60 seconds
    Given no card will be presented
    When the POS starts charging 12.00 PEN
    And 59 seconds pass
    Then the started charge is still pending
    When 1 second passes
    Then the started charge ends with error "TER-001" with HTTP 408

  @scripted-card @harness-defined @req:connect.terminal.wrong-pin
  Scenario: A wrong PIN is declined
    Given the customer will present the mastercard-debit card by chip and enter the wrong PIN
    When the POS charges 12.00 PEN
    Then the POS gets a decline with code "55"

  @scripted-card @faults @harness-defined @req:connect.terminal.wrong-pin
  Scenario: A wrong PIN never reaches the acquirer
    Given the customer will present the mastercard-debit card by chip and enter the wrong PIN
    When the POS charges 12.00 PEN
    Then the POS gets a decline with code "55"
    And the acquirer received no transaction

  @scripted-card @doc:kushki-one-intro @req:connect.terminal.reading-types
  Scenario Outline: A card is read by chip, contactless or swipe
    Given the customer will present the <card> card by <reading> and enter the right PIN
    When the POS charges 12.00 PEN
    Then the POS gets an approval
    And the answer names the <franchise> franchise
    When the POS searches the terminal's local history for the charge
    Then the operation listed was read by <reading> from the <card> card

    Examples:
      | card             | reading     | franchise  |
      | visa-credit      | chip        | VISA       |
      | mastercard-debit | contactless | MASTERCARD |
      | visa-debit       | swipe       | VISA       |
      | amex-credit      | contactless | AMEX       |
