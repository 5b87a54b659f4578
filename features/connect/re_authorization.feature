@doc:connect-payments @doc:seed-first-steps @req:connect.re-authorization
Feature: Re-authorization through Kushki ONE Connect
  /re_authorization extends the amount or the validity of an active pre-authorization (ref §1.4;
  seed: "modifies the authorized amount or extends the period to apply the capture"). The amount
  is required; 0 only extends the validity (harness-defined H3).

  Scenario: A re-authorization raises the authorized amount
    Given a POS-approved pre-authorization of 55.00 PEN
    When the POS re-authorizes the pre-authorization for 65.00 PEN
    Then the POS gets an approval
    And the acquirer's transaction type is "reAuthorization"
    When the POS captures the pre-authorization
    Then the POS gets an approval
    And the acquirer authorized 65.00 PEN

  @harness-defined
  Scenario: A re-authorization of 0 extends the validity and keeps the amount
    Given a POS-approved pre-authorization of 55.00 PEN
    When the POS re-authorizes the pre-authorization for 0.00 PEN
    Then the POS gets an approval
    When the POS captures the pre-authorization
    Then the POS gets an approval
    And the acquirer authorized 55.00 PEN

  @harness-defined @req:connect.unknown-reference @req:connect.errors.acquirer-status
  Scenario: A re-authorization of a pre-authorization the acquirer does not know is refused
    When the POS re-authorizes a transaction the acquirer does not know
    Then the POS gets error "E901" with HTTP 404
    And the error's type is "ACQUIRER"
