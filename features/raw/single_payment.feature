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
