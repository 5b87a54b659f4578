@doc:raw-error-codes
Feature: Errors of the raw card-present API
  A missing or unknown credential is 401 {"message":"Unauthorized"}; a request Kushki refuses
  before the processor gets {code, details{Origin, Message}, message} (add §2.1). Kushki's codes
  are E0xx; the rules Kushki documents without a code get the harness's E9xx (H10). The client's
  fault is never a 5xx; a 5xx is the server's, and only a behaviour can make the mock give one.

  Rule: The credential

    @req:raw.auth.credential
    Scenario: A charge without Private-Credential-Id is unauthorized
      When the terminal app sends a charge without a credential
      Then the request is refused with HTTP 401 Unauthorized

    @req:raw.auth.credential
    Scenario: A charge with an unknown Private-Credential-Id is unauthorized
      When the terminal app sends a charge with the credential "not-a-credential-kushki-issued"
      Then the request is refused with HTTP 401 Unauthorized

  Rule: E001 names the field at fault

    @req:raw.request.amount-decimals @req:raw.errors.envelope @harness-defined
    Scenario: 12.505 PEN is refused, never rounded
      When the terminal app sends to "/pos/v1/transaction":
        """
        {"transaction_mode": "Authorization", "transaction_type": "charge", "client_transaction_id": "{uuid}",
         "amount": {"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 12.505},
         "card_details": {"reading_type": "NFC", "enc_tlv": "E9BCEC77FACD77F942E433BE6CD27068"}}
        """
      Then the request is refused with HTTP 400 and code "E001"
      And the error names "/amount/subtotal_iva0"
      And the error's origin is "Process Generic Transaction | validateRequest"

    @req:raw.request.amount-decimals @country:CHL @harness-defined
    Scenario: Chilean pesos have no decimals
      When the terminal app sends to "/pos/v1/transaction":
        """
        {"transaction_mode": "Authorization", "transaction_type": "charge", "client_transaction_id": "{uuid}",
         "country": "CHL",
         "amount": {"currency": "CLP", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 100.5},
         "card_details": {"reading_type": "NFC", "enc_tlv": "E9BCEC77FACD77F942E433BE6CD27068"}}
        """
      Then the request is refused with HTTP 400 and code "E001"
      And the error names "/amount/subtotal_iva0"

    @req:raw.request.unknown-field @harness-defined
    Scenario: An unknown field is refused naming it
      When the terminal app sends to "/pos/v1/transaction":
        """
        {"transaction_mode": "Authorization", "transaction_type": "charge", "client_transaction_id": "{uuid}",
         "amount": {"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 12.50},
         "card_details": {"reading_type": "NFC", "enc_tlv": "E9BCEC77FACD77F942E433BE6CD27068"},
         "colour": "red"}
        """
      Then the request is refused with HTTP 400 and code "E001"
      And the error names "colour"

    @req:raw.request.amount-required @doc:raw-take-payments
    Scenario: A charge without amount is refused naming it
      When the terminal app sends to "/pos/v1/transaction":
        """
        {"transaction_mode": "Authorization", "transaction_type": "charge", "client_transaction_id": "{uuid}",
         "card_details": {"reading_type": "NFC", "enc_tlv": "E9BCEC77FACD77F942E433BE6CD27068"}}
        """
      Then the request is refused with HTTP 400 and code "E001"
      And the error names "/amount"

    @req:raw.request.card-details @doc:raw-take-payments
    Scenario: A charge without card_details is refused naming it
      When the terminal app sends to "/pos/v1/transaction":
        """
        {"transaction_mode": "Authorization", "transaction_type": "charge", "client_transaction_id": "{uuid}",
         "amount": {"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 12.50}}
        """
      Then the request is refused with HTTP 400 and code "E001"
      And the error names "/card_details"

    @req:raw.request.client-id-uuid @doc:cl-voids-refunds-src
    Scenario: A client_transaction_id that is not a UUID is refused naming it
      When the terminal app sends to "/pos/v1/transaction":
        """
        {"transaction_mode": "Authorization", "transaction_type": "charge", "client_transaction_id": "order-42",
         "amount": {"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 12.50},
         "card_details": {"reading_type": "NFC", "enc_tlv": "E9BCEC77FACD77F942E433BE6CD27068"}}
        """
      Then the request is refused with HTTP 400 and code "E001"
      And the error names "/client_transaction_id"

    @req:raw.reverse.types @doc:seed-voids-refunds
    Scenario: A Reverse of a preAuth is refused naming transaction_type
      When the terminal app sends to "/pos/v1/transaction":
        """
        {"transaction_mode": "Reverse", "transaction_type": "preAuth", "client_transaction_id": "{uuid}",
         "amount": {"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 12.50},
         "card_details": {"reading_type": "NFC", "enc_tlv": "E9BCEC77FACD77F942E433BE6CD27068"}}
        """
      Then the request is refused with HTTP 400 and code "E001"
      And the error names "/transaction_type"

    @req:raw.request.json-body
    Scenario: A body that is not JSON is refused with E001
      When the terminal app sends to "/pos/v1/transaction":
        """
        {"transaction_mode": "Authorization", "transaction_type": 
        """
      Then the request is refused with HTTP 400 and code "E001"

    @req:raw.request.json-body
    Scenario: An empty body is refused with E001
      When the terminal app sends an empty body to "/pos/v1/transaction"
      Then the request is refused with HTTP 400 and code "E001"

    @req:raw.request.json-body
    Scenario: A charge sent as text/plain is refused with E001
      When the terminal app sends a charge with the content type "text/plain"
      Then the request is refused with HTTP 400 and code "E001"

  Rule: Kushki's own codes

    @req:raw.errors.e041 @doc:cl-voids-refunds-src @country:PER
    Scenario: E041 — a partial void outside Chile
      Given an approved charge of 100.00 PEN
      When the terminal app voids 40.00 PEN of the charge
      Then the request is refused with HTTP 400 and code "E041"
      And the error names "Partial void not allowed"

    @req:raw.errors.e042 @doc:cl-voids-refunds-src @harness-defined
    Scenario: E042 — a void in another currency than the charge's
      Given an approved charge of 100.00 PEN
      When the terminal app voids 100.00 USD of the charge
      Then the request is refused with HTTP 400 and code "E042"

    @req:raw.reverse.once @doc:cl-voids-refunds-src @virtual-time
    Scenario: E048 — a charge reversed twice
      Given an approved charge of 100.00 PEN
      When 1 minute passes
      And the terminal app reverses the charge
      Then the transaction is approved
      When the terminal app reverses the charge
      Then the request is refused with HTTP 400 and code "E048"

    @req:raw.refund.window @req:raw.http.412 @doc:cl-voids-refunds-src
    Scenario: E016 — a refund not available
      Given an approved charge of 100.00 PEN
      When the terminal app refunds the charge
      Then the request is refused with HTTP 412 and code "E016"

  Rule: The harness's codes for rules Kushki states without a code (H10)

    @req:raw.errors.harness-codes @req:raw.http.404 @harness-defined
    Scenario: E901 — a void of a transaction that does not exist (404)
      When the terminal app sends to "/pos/v1/transaction":
        """
        {"transaction_mode": "Void", "transaction_type": "charge", "client_transaction_id": "{uuid}",
         "transaction_reference": "{uuid}"}
        """
      Then the request is refused with HTTP 404 and code "E901"

    @req:raw.errors.harness-codes @req:raw.reverse.min-delay @virtual-time @harness-defined
    Scenario: E902 — a reverse before a minute has passed
      Given an approved charge of 100.00 PEN
      When 30 seconds pass
      And the terminal app reverses the charge
      Then the request is refused with HTTP 400 and code "E902"

    @req:raw.errors.harness-codes @req:raw.reverse.same-day @virtual-time @harness-defined
    Scenario: E903 — a reverse on the next day
      Given an approved charge of 100.00 PEN
      When 1 day passes
      And the terminal app reverses the charge
      Then the request is refused with HTTP 400 and code "E903"

    @req:raw.errors.harness-codes @req:raw.void.same-day @virtual-time @harness-defined
    Scenario: E904 — a void on the next day
      Given an approved charge of 100.00 PEN
      When 1 day passes
      And the terminal app voids the charge
      Then the request is refused with HTTP 400 and code "E904"

    @req:raw.errors.harness-codes @req:raw.idempotency.conflict @harness-defined
    Scenario: E905 — a client_transaction_id reused for another request (409)
      Given an approved charge of 100.00 PEN
      When the terminal app sends another charge with the same client_transaction_id
      Then the request is refused with HTTP 409 and code "E905"

    @req:raw.errors.harness-codes @req:raw.void.attempts @faults @harness-defined
    Scenario: E906 — a fourth void after three declined attempts
      Given an approved charge of 100.00 PEN
      And the acquirer will answer voids with issuer code "91" 3 times
      When the terminal app voids the charge
      And the terminal app voids the charge
      And the terminal app voids the charge
      Then the transaction is declined with code "91"
      When the terminal app voids the charge
      Then the request is refused with HTTP 400 and code "E906"

    @req:raw.errors.harness-codes @req:raw.refund.sum @virtual-time @harness-defined
    Scenario: E907 — a refund past the charge's amount
      Given an approved charge of 100.00 PEN
      When 1 day passes
      And the terminal app refunds 100.01 PEN of the charge
      Then the request is refused with HTTP 400 and code "E907"

    @req:raw.errors.harness-codes @req:raw.void.once @harness-defined
    Scenario: E908 — a void of a voided charge
      Given an approved charge of 100.00 PEN
      When the terminal app voids the charge
      And the terminal app voids the charge
      Then the request is refused with HTTP 400 and code "E908"

    @req:raw.errors.harness-codes @req:raw.refund.sum @virtual-time @harness-defined
    Scenario: E909 — a refund of a charge refunded in full
      Given an approved charge of 100.00 PEN
      When 1 day passes
      And the terminal app refunds the charge
      And the terminal app refunds the charge
      Then the request is refused with HTTP 400 and code "E909"

    @req:raw.errors.harness-codes @req:raw.capture.from-authorization @harness-defined
    Scenario: E910 — a capture of a re-authorization
      Given an approved pre-authorization of 100.00 PEN
      When the terminal app re-authorizes the pre-authorization for 110.00 PEN
      And the terminal app captures the re-authorization
      Then the request is refused with HTTP 400 and code "E910"

    @req:raw.errors.harness-codes @req:raw.cardless.market @country:MEX @beta @harness-defined
    Scenario: E911 — a cardless void in Mexico
      Given the market is Mexico
      And an approved charge of 100.00 MXN
      When the terminal app voids the charge without the card
      Then the request is refused with HTTP 400 and code "E911"

    @req:raw.errors.harness-codes @req:raw.capture.once @harness-defined
    Scenario: E912 — a second capture
      Given an approved pre-authorization of 100.00 PEN
      When the terminal app captures the pre-authorization
      And the terminal app captures the pre-authorization
      Then the request is refused with HTTP 400 and code "E912"

  Rule: Server-side failures (5xx) are the server's, injected by a behaviour

    @req:raw.http.5xx @faults @harness-defined
    Scenario Outline: HTTP <status> from the acquirer is a failure the terminal app may retry
      Given the acquirer will answer the next charge with HTTP <status>
      When the terminal app charges 25.00 PEN
      Then the request fails with HTTP <status>
      When the terminal app sends the same charge again
      Then the transaction is approved

      Examples:
        | status |
        | 500    |
        | 502    |
        | 503    |
        | 504    |

  Rule: Issuer declines are answers, not errors

    @req:raw.response.issuer-code @faults @harness-defined
    Scenario Outline: An issuer decline <code> arrives in kushki_response and F39
      Given the acquirer will answer charges with issuer code "<code>" 1 times
      When the terminal app charges 25.00 PEN
      Then the transaction is declined with code "<code>"

      Examples:
        | code |
        | 01   |
        | 05   |
        | 12   |
        | 51   |
        | 91   |
