@doc:seed-voids-refunds @faults @virtual-time @req:connect.terminal.acquirer-timeout
Feature: The acquirer does not answer the terminal
  When the acquirer's answer does not come, the outcome is unknown: after 60 seconds of clock the
  terminal reverses the transaction (a reverse is sent at least one minute after it, seed) and
  answers TER-004, 504 (TER-004 is a documented code, its meaning harness-defined, ref §1.7).

  @harness-defined
  Scenario: After 60 seconds without an answer the terminal reverses and answers TER-004
    Given the acquirer will not answer the terminal
    When the POS starts charging 12.00 PEN
    And the terminal has asked the acquirer for approval
    And 59 seconds pass
    Then the started charge is still pending
    When 1 second passes
    Then the started charge ends with error "TER-004" with HTTP 504
    And the acquirer received a reverse of the started charge

  @harness-defined
  Scenario: After the timeout the terminal waits for a call again
    Given the acquirer will not answer the terminal
    When the POS starts charging 12.00 PEN
    And the terminal has asked the acquirer for approval
    And 60 seconds pass
    Then the started charge ends with error "TER-004" with HTTP 504
    When the POS charges 5.00 PEN
    Then the POS gets an approval
