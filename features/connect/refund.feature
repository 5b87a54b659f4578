@doc:connect-payments @req:connect.refund
Feature: Refund through Kushki ONE Connect
  /refund refunds a previously settled transaction (ref §1.4), in total or in part (the amount is
  optional, harness-defined H3). Like /void it runs a void or a refund depending on the moment
  (seed first steps); refunds are possible up to 120 days later (seed voids-refunds).

  @virtual-time @country:PER
  Scenario: A charge is refunded in total on a later day
    Given a POS-approved charge of 20.00 PEN
    When 1 day passes
    And the POS refunds the charge
    Then the POS gets an approval
    And the acquirer's transaction type is "Refund"
    And the acquirer authorized 20.00 PEN
    And the answer came encrypted

  @virtual-time @harness-defined @country:PER
  Scenario: A charge is refunded in parts, never beyond its amount
    Given a POS-approved charge of 20.00 PEN
    When 1 day passes
    And the POS refunds 5.00 PEN of the charge
    Then the POS gets an approval
    And the acquirer authorized 5.00 PEN
    When the POS refunds 10.00 PEN of the charge
    Then the POS gets an approval
    When the POS refunds 6.00 PEN of the charge
    Then the POS gets error "E907" with HTTP 400
    And the error's type is "ACQUIRER"

  @faults @doc:seed-first-steps @req:connect.void.by-moment
  Scenario: A total refund on the day of the charge is executed as a void
    Given a POS-approved charge of 20.00 PEN
    When the POS refunds the charge
    Then the POS gets an approval
    And the acquirer received a void of the charge

  @doc:seed-voids-refunds @country:PER @req:connect.refund.window @req:connect.errors.acquirer-status
  Scenario: A partial refund on the day of the charge is refused in Peru
    Given a POS-approved charge of 20.00 PEN
    When the POS refunds 5.00 PEN of the charge
    Then the POS gets error "E016" with HTTP 412
    And the error's type is "ACQUIRER"

  @virtual-time @doc:seed-voids-refunds @country:PER @req:connect.refund.window
  Scenario: A refund 120 days later is approved
    Given a POS-approved charge of 20.00 PEN
    When 120 days pass
    And the POS refunds the charge
    Then the POS gets an approval

  @virtual-time @doc:seed-voids-refunds @country:PER @req:connect.refund.window @req:connect.errors.acquirer-status
  Scenario: A refund 121 days later is refused
    Given a POS-approved charge of 20.00 PEN
    When 121 days pass
    And the POS refunds the charge
    Then the POS gets error "E016" with HTTP 412
    And the error's type is "ACQUIRER"

  @harness-defined @req:connect.unknown-reference
  Scenario: A refund of a charge the acquirer does not know is refused
    When the POS refunds a transaction the acquirer does not know
    Then the POS gets error "E901" with HTTP 404
