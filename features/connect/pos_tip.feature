@doc:connect-payments @doc:seed-first-steps @req:connect.pos-tip
Feature: Post tip through Kushki ONE Connect
  /pos_tip adds a tip to an already-authorized transaction (ref §1.4); the tip is in minor units
  (harness-defined H1, H3).

  Scenario: A tip is added to an approved charge
    Given a POS-approved charge of 20.00 PEN
    When the POS adds a post tip of 3.00 PEN to the charge
    Then the POS gets an approval
    And the acquirer's transaction type is "posTip"
    And the acquirer authorized 3.00 PEN

  @harness-defined @req:connect.errors.acquirer-status
  Scenario: A tip cannot be added to a voided charge
    Given a POS-approved charge of 20.00 PEN
    When the POS voids the charge
    And the POS adds a post tip of 3.00 PEN to the charge
    Then the POS gets error "E041" with HTTP 400
    And the error's type is "ACQUIRER"

  @harness-defined @req:connect.unknown-reference
  Scenario: A tip on a charge the acquirer does not know is refused
    When the POS adds a post tip to a transaction the acquirer does not know
    Then the POS gets error "E901" with HTTP 404
