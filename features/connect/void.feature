@doc:connect-payments @req:connect.void
Feature: Void through Kushki ONE Connect
  /void cancels a transaction on the same day, before the processor cut-off (ref §1.4). The app
  "executes a void or a refund depending on the exact moment of execution" (seed first steps):
  on the transaction's business day before 23:59 (Lima, seed voids-refunds) the terminal sends a
  raw Void, afterwards a refund.

  Scenario: A void on the day of the charge is approved
    Given a POS-approved charge of 20.00 PEN
    When the POS voids the charge
    Then the POS gets an approval
    And the answer came encrypted

  @faults @doc:seed-voids-refunds
  Scenario: A void on the day of the charge is a raw void
    Given a POS-approved charge of 20.00 PEN
    When the POS voids the charge
    Then the POS gets an approval
    And the acquirer received a void of the charge

  @faults @doc:raw-void-reverse
  Scenario: A pre-authorization is voided on its day
    Given a POS-approved pre-authorization of 55.00 PEN
    When the POS voids the pre-authorization
    Then the POS gets an approval
    And the acquirer received a void of the pre-authorization

  @virtual-time @faults @doc:seed-first-steps @doc:seed-voids-refunds @country:PER @req:connect.void.by-moment
  Scenario: A void one minute before the cut-off is still a void
    Given the time is "2026-03-24 23:50:00" in Lima
    And a POS-approved charge of 20.00 PEN
    When the time becomes "2026-03-24 23:58:00" in Lima
    And the POS voids the charge
    Then the POS gets an approval
    And the acquirer received a void of the charge

  @virtual-time @faults @doc:seed-first-steps @doc:seed-voids-refunds @country:PER @req:connect.void.by-moment
  Scenario: A void after the cut-off becomes a refund
    Given the time is "2026-03-24 23:50:00" in Lima
    And a POS-approved charge of 20.00 PEN
    When the time becomes "2026-03-24 23:59:30" in Lima
    And the POS voids the charge
    Then the POS gets an approval
    And the acquirer received a refund of the charge

  @virtual-time @doc:seed-first-steps @doc:seed-voids-refunds @country:PER @req:connect.void.by-moment
  Scenario: A void on the next day becomes a refund
    Given the time is "2026-03-24 10:00:00" in Lima
    And a POS-approved charge of 20.00 PEN
    When the time becomes "2026-03-25 09:00:00" in Lima
    And the POS voids the charge
    Then the POS gets an approval
    And the acquirer's transaction type is "Refund"
    And the acquirer authorized 20.00 PEN

  @virtual-time @faults @doc:seed-first-steps @doc:seed-voids-refunds @country:PER @req:connect.void.by-moment
  Scenario: The next day's void reaches the acquirer as a refund
    Given the time is "2026-03-24 10:00:00" in Lima
    And a POS-approved charge of 20.00 PEN
    When the time becomes "2026-03-25 09:00:00" in Lima
    And the POS voids the charge
    Then the POS gets an approval
    And the acquirer received a refund of the charge

  @harness-defined @req:connect.unknown-reference
  Scenario: A void of a charge the acquirer does not know is refused
    When the POS voids a transaction the acquirer does not know
    Then the POS gets error "E901" with HTTP 404
    And the error's type is "ACQUIRER"
