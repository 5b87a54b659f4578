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

  @virtual-time @req:raw.reverse @req:raw.reverse.timeout @faults
  Scenario: A charge whose answer was lost is reversed a minute later
    When the terminal app charges 35.00 PEN but the acquirer's answer is lost
    And 1 minute passes
    And the terminal app reverses the charge
    Then the transaction is approved
    And the answer's transaction_type is "charge"

  @virtual-time @req:raw.reverse
  Scenario: A capture is reversed
    Given an approved pre-authorization of 35.00 PEN
    When the terminal app captures the pre-authorization
    Then the transaction is approved
    When 1 minute passes
    And the terminal app reverses the capture
    Then the transaction is approved
    And the answer's transaction_type is "capture"

  @req:raw.reverse.types
  Scenario: A reverse of a pre-authorization is refused naming transaction_type
    When the terminal app sends to "/pos/v1/transaction":
      """
      {"amount": {"currency": "PEN", "iva": 0, "subtotal_iva": 0, "subtotal_iva0": 35},
       "transaction_mode": "Reverse", "transaction_type": "preAuth",
       "client_transaction_id": "{uuid}", "omit_card": true}
      """
    Then the request is refused with HTTP 400 and code "E001"
    And the error names "/transaction_type"

  @virtual-time @req:raw.reverse.same-day
  Scenario: A reverse at 23:58:59 in Lima is approved
    Given the time is "2026-03-24 23:57:00" in Lima
    And an approved charge of 12.00 PEN
    When the time becomes "2026-03-24 23:58:59" in Lima
    And the terminal app reverses the charge
    Then the transaction is approved

  @virtual-time @req:raw.reverse.same-day @req:raw.errors.harness-codes
  Scenario: A reverse at 23:59:00 in Lima is refused
    Given the time is "2026-03-24 23:57:00" in Lima
    And an approved charge of 12.00 PEN
    When the time becomes "2026-03-24 23:59:00" in Lima
    And the terminal app reverses the charge
    Then the request is refused with HTTP 400 and code "E903"

  @virtual-time @req:raw.reverse.same-day
  Scenario: A reverse across midnight is refused although a minute has passed
    Given the time is "2026-03-24 23:59:30" in Lima
    And an approved charge of 12.00 PEN
    When the time becomes "2026-03-25 00:00:30" in Lima
    And the terminal app reverses the charge
    Then the request is refused with HTTP 400 and code "E903"

  @virtual-time @req:raw.reverse.same-day
  Scenario: A charge made just after midnight is reversed a minute later the same day
    Given the time is "2026-03-25 00:00:00" in Lima
    And an approved charge of 12.00 PEN
    When the time becomes "2026-03-25 00:01:00" in Lima
    And the terminal app reverses the charge
    Then the transaction is approved

  @virtual-time @req:raw.reverse.once @doc:cl-voids-refunds-src
  Scenario: A charge is reversed once: a second reverse is refused with E048
    Given an approved charge of 12.00 PEN
    When 60 seconds pass
    And the terminal app reverses the charge
    Then the transaction is approved
    When the terminal app reverses the charge
    Then the request is refused with HTTP 400 and code "E048"

  @req:raw.reverse.unknown @harness-defined
  Scenario: A reverse of a charge that never reached the acquirer is answered 404 E901
    When the terminal app reverses a charge that never reached the acquirer
    Then the request is refused with HTTP 404 and code "E901"

  @req:raw.reverse @req:raw.reverse.unknown @harness-defined
  Scenario: The seed's reverse example is well-formed: it is refused only because its charge is unknown
    When the terminal app sends to "/pos/v1/transaction":
      """
      {
        "card": {"card_holder_name": "John Doe"},
        "amount": {"iva": 0, "tip": 20, "currency": "PEN", "extra_taxes": {}, "subtotal_iva": 0, "subtotal_iva0": 200},
        "country": "PER",
        "isDeferred": false,
        "is_cashback": false,
        "pos_details": {
          "brand": "SUNMI", "model": "P2-EU", "version": "Kushki SunmiV1.1.18",
          "location": {"latitude": -1.2253600000000002, "longitude": -78.61997},
          "has_print": true, "terminal_id": "PB04209860189"
        },
        "card_details": {
          "tracks": {"track_ksn": "FFFF4357486333600003", "enc_track2": "2C5E3DC796759FAB00BB11163CC4B69B"},
          "enc_tlv": "E9BCEC77FACD77F942E433BE6CD27068F09ADFA082B6AE478D9BDA4EEEAFD3765300FD2EF030CD3A8DD9624E04CDFBC60B4206B9587A1A0DB5820D87D3ACAB9F8B14B35A8B8D7307AEBDCFD9D5DD8EB5DC7BFB729A1E6ABAC08D5C5A064F590F414D560C3EE964449B40D24B09703AE38FF45F328CC03A8A3ABCFBCDF0AFBCDAB674C87AC66CD842E7E9C36B6826ECAC8EB32E5E036787D4B50CD8C43F0C89918A23C396AEE4096805AE52DF13B343A6FDAC864CB27593C65B39B02239B707554357675ED96C3859",
          "pin_ksn": "FFFF4357486333600003",
          "reading_type": "ICC"
        },
        "transaction_mode": "Reverse",
        "transaction_type": "charge",
        "client_transaction_id": "cffd9e13-993d-4d8b-9862-3ac4c0f63dec"
      }
      """
    Then the request is refused with HTTP 404 and code "E901"
