@doc:connect-payments @req:connect.capture
Feature: Capture through Kushki ONE Connect
  /capture captures funds from an approved pre-authorization (ref §1.4): the whole authorized
  amount, or part of it when the POS names an amount (harness-defined H3).

  Scenario: A capture takes the whole authorized amount
    Given a POS-approved pre-authorization of 55.00 PEN
    When the POS captures the pre-authorization
    Then the POS gets an approval
    And the acquirer authorized 55.00 PEN
    And the acquirer's transaction type is "capture"

  @harness-defined
  Scenario: A partial capture takes the amount named
    Given a POS-approved pre-authorization of 55.00 PEN
    When the POS captures the pre-authorization for 30.00 PEN
    Then the POS gets an approval
    And the acquirer authorized 30.00 PEN

  @harness-defined @req:connect.errors.acquirer-status
  Scenario: A capture above the authorized amount is refused by the acquirer
    Given a POS-approved pre-authorization of 55.00 PEN
    When the POS captures the pre-authorization for 60.00 PEN
    Then the POS gets error "E041" with HTTP 400
    And the error's type is "ACQUIRER"

  @harness-defined @req:connect.unknown-reference @req:connect.errors.acquirer-status
  Scenario: A capture of a pre-authorization the acquirer does not know is refused
    When the POS captures a transaction the acquirer does not know
    Then the POS gets error "E901" with HTTP 404
    And the error's type is "ACQUIRER"
