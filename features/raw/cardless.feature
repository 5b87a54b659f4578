@beta @doc:seed-voids-refunds
Feature: Cardless voids, reverses and refunds
  "This functionality is currently in Beta phase in Peru": a void, reverse or refund can be sent
  without reading the card again, with omit_card true and the amount object (seed). The
  authorization-and-capture page lists cardless captures and re-authorizations too (ref §2.3).
  Chile's voids and refunds are cardless (add §6.2). Elsewhere the harness refuses them (H13).

  @country:PER @req:raw.cardless.void @doc:raw-void-reverse
  Scenario: A charge is voided without the card in Peru
    Given an approved charge of 600.00 PEN
    When the terminal app voids the charge without the card
    Then the transaction is approved

  @country:PER @req:raw.cardless.reverse @virtual-time @doc:raw-void-reverse
  Scenario: A charge is reversed without the card in Peru
    Given an approved charge of 60.00 PEN
    When 1 minute passes
    And the terminal app reverses the charge without the card
    Then the transaction is approved

  @country:PER @req:raw.cardless.refund @virtual-time @doc:raw-refund
  Scenario: A charge is refunded without the card in Peru
    Given an approved charge of 6.00 PEN
    When 1 day passes
    And the terminal app refunds the charge without the card
    Then the transaction is approved

  @country:PER @req:raw.cardless.two-step @doc:raw-auth-capture
  Scenario: A pre-authorization is re-authorized and captured without the card in Peru
    Given an approved pre-authorization of 80.00 PEN
    When the terminal app re-authorizes the pre-authorization for 100.00 PEN without the card
    Then the transaction is approved
    When the terminal app captures the pre-authorization for 100.00 PEN without the card
    Then the transaction is approved
    And the authorized amount is 100.00 PEN

  @country:CHL @req:raw.cardless.chile @doc:cl-voids-refunds-src
  Scenario: A charge is voided without the card in Chile
    Given the market is Chile
    And an approved charge of 25000 CLP
    When the terminal app voids the charge without the card
    Then the transaction is approved

  @country:MEX @req:raw.cardless.market @req:raw.errors.harness-codes @harness-defined
  Scenario: A cardless void is refused in Mexico
    Given the market is Mexico
    And an approved charge of 150.00 MXN
    When the terminal app voids the charge without the card
    Then the request is refused with HTTP 400 and code "E911"

  @country:MEX @req:raw.cardless.market @virtual-time @harness-defined
  Scenario: A cardless reverse is refused in Mexico
    Given the market is Mexico
    And an approved charge of 150.00 MXN
    When 1 minute passes
    And the terminal app reverses the charge without the card
    Then the request is refused with HTTP 400 and code "E911"

  @country:MEX @req:raw.cardless.market @virtual-time @harness-defined
  Scenario: A cardless refund is refused in Mexico
    Given the market is Mexico
    And an approved charge of 150.00 MXN
    When 1 day passes
    And the terminal app refunds the charge without the card
    Then the request is refused with HTTP 400 and code "E911"

  @country:PER @req:raw.cardless.charge @req:raw.errors.e041 @harness-defined
  Scenario: A cardless charge is refused: there is no card to charge
    When the terminal app sends to "/pos/v1/transaction":
      """
      {"amount": {"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 60},
       "transaction_mode": "Authorization", "transaction_type": "charge",
       "client_transaction_id": "{uuid}", "omit_card": true}
      """
    Then the request is refused with HTTP 400 and code "E041"

  @country:PER @req:raw.cardless.void @req:raw.reverse.unknown @harness-defined
  Scenario: The seed's cardless void example is well-formed: it is refused only because its charge is unknown
    When the terminal app sends to "/pos/v1/transaction":
      """
      {
          "amount": {"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 60000},
          "transaction_mode": "Void",
          "transaction_type": "charge",
          "is_smart_void": true,
          "client_transaction_id": "6680eadc-6c8d-44aa-8ca0-18e061c1472a",
          "transaction_reference": "f2f29080-0214-42c0-95a5-77ecf3434cd7",
          "omit_card": true
      }
      """
    Then the request is refused with HTTP 404 and code "E901"

  @country:PER @req:raw.cardless.refund @harness-defined
  Scenario: The seed's cardless refund example is well-formed: it is refused only because its charge is unknown
    When the terminal app sends to "/pos/v1/refund":
      """
      {
          "amount": {"currency": "PEN", "iva": 0.0, "subtotal_iva": 0.0, "subtotal_iva0": 600},
          "transaction_mode": "Authorization",
          "transaction_type": "refund",
          "client_transaction_id": "6680eadc-6c8d-44aa-8ca0-18e061c1472a",
          "transaction_reference": "f2f29080-0214-42c0-95a5-77ecf3434cd7",
          "omit_card": true
      }
      """
    Then the request is refused with HTTP 404 and code "E901"
