@doc:seed-voids-refunds @country:PER
Feature: Reverse
  A reverse undoes a transaction whose outcome the terminal does not know; it is sent at least
  one minute after the transaction and on the same day, before 23:59 for Peru (seed).

  @virtual-time @req:raw.reverse.min-delay
  Scenario: A reverse 59 seconds after the charge is refused
    Given an approved charge of 12.00 PEN
    When 59 seconds pass
    And the terminal app reverses the charge
    Then the request is refused with HTTP 400 and code "E902"

  @virtual-time @req:raw.reverse.min-delay
  Scenario: A reverse 60 seconds after the charge is accepted
    Given an approved charge of 12.00 PEN
    When 60 seconds pass
    And the terminal app reverses the charge
    Then the transaction is approved
