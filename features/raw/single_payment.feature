@doc:raw-single-payment @req:raw.charge
Feature: Single payment on the raw card-present API
  A certified terminal app sends the card data it read to POST /pos/v1/transaction with
  transaction_mode Authorization and transaction_type charge (ref §2.3).

  Scenario: A chip charge is approved
    When the terminal app charges 12.50 PEN
    Then the transaction is approved

  @doc:raw-take-payments @req:raw.charge.reading-types
  Scenario Outline: A charge is approved whatever the card was read by
    When the terminal app charges 20.00 PEN by <reading>
    Then the transaction is approved

    Examples:
      | reading     |
      | chip        |
      | contactless |
      | swipe       |

  @req:raw.charge.deferred
  Scenario: A deferred charge is approved
    When the terminal app charges 300.00 PEN deferred over 6 months
    Then the transaction is approved

  @req:raw.charge.deferred-chile @country:CHL
  Scenario: A Chilean charge in merchant-financed instalments (Cuotas Comercio) is approved
    Given the market is Chile
    When the terminal app charges 30000 CLP deferred over 3 months with credit type "03"
    Then the transaction is approved

  @req:raw.response.approval @doc:cl-voids-refunds-src
  Scenario: An approval carries Kushki's approval codes, a reference and a ticket number
    When the terminal app charges 12.50 PEN
    Then the answer carries the approval codes and an 18-digit ticket number
    And the authorized amount is 12.50 PEN
    And the answer's transaction_type is "charge"

  @req:raw.charge.tip @req:raw.request.amount-sum
  Scenario: A charge with a tip authorizes the sum of the amount and the tip
    When the terminal app charges 20.00 PEN with a tip of 3.00 PEN
    Then the transaction is approved
    And the authorized amount is 23.00 PEN

  @req:raw.request.amount-sum @doc:raw-take-payments
  Scenario: The authorized amount is the sum of every value of the amount object
    When the terminal app charges the amount object:
      | subtotal_iva      | 10.00 PEN |
      | iva               | 1.80 PEN  |
      | subtotal_iva0     | 5.00 PEN  |
      | tip               | 2.00 PEN  |
      | extra_taxes.iac   | 0.70 PEN  |
      | extra_taxes.ice   | 0.50 PEN  |
    Then the transaction is approved
    And the authorized amount is 20.00 PEN

  @req:raw.charge.cashback
  Scenario: A charge with cashback on a local card is approved
    When the terminal app charges 60.00 PEN with cashback of 20.00 PEN with the visa-debit card
    Then the transaction is approved

  @req:raw.charge.cashback-local
  Scenario: A charge with cashback on a foreign card is refused: cashback only works with local cards
    When the terminal app charges 60.00 PEN with cashback of 20.00 PEN with the mastercard-credit card
    Then the request is refused with HTTP 400 and code "E041"
    And the error names "local cards"

  @req:raw.posTip
  Scenario: A post tip is added to an approved charge
    Given an approved charge of 45.00 PEN
    When the terminal app adds a post tip of 4.00 PEN to the charge
    Then the transaction is approved
    And the authorized amount is 4.00 PEN
    And the answer's transaction_type is "posTip"

  @req:raw.posTip.charge-only @harness-defined
  Scenario: A post tip on a pre-authorization is refused
    Given an approved pre-authorization of 45.00 PEN
    When the terminal app adds a post tip of 4.00 PEN to the pre-authorization
    Then the request is refused with HTTP 400 and code "E910"
