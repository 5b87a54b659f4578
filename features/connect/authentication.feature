@doc:connect-auth
Feature: Authentication and encryption of Kushki ONE Connect
  Every request carries Authorization: Basic <SHA-512> derived from the Business-Code, the serial
  and a minute-bound key, a timestamp header in Unix seconds within ±5 minutes of the terminal's
  time, and a body {"data":"<iv_hex>:<ct_hex>"} encrypted with AES-256-CBC (ref §1.5). Failures:
  AUTH-001 bad signature or undecryptable body (one answer, no oracle), AUTH-002 timestamp out of
  the window, AUTH-003 missing or malformed headers, all 401 in plain JSON (harness-defined H8).

  @harness-defined @req:connect.auth.signature
  Scenario: A charge signed with the wrong Business-Code is refused
    When the POS signs a charge with the wrong Business-Code
    Then the POS gets error "AUTH-001" with HTTP 401
    And the error's type is "AUTHENTICATION"
    And the answer came in plain JSON

  @harness-defined @req:connect.auth.timestamp-window
  Scenario Outline: A timestamp more than five minutes off is refused
    When the POS sends a charge signed 301 seconds <when>
    Then the POS gets error "AUTH-002" with HTTP 401

    Examples:
      | when          |
      | in the past   |
      | in the future |

  @req:connect.auth.timestamp-window
  Scenario Outline: A timestamp less than five minutes off is accepted
    When the POS sends a charge signed 299 seconds <when>
    Then the POS gets an approval

    Examples:
      | when          |
      | in the past   |
      | in the future |

  @harness-defined @req:connect.auth.no-oracle
  Scenario: An altered ciphertext is refused exactly like a bad signature
    When the POS sends a charge whose ciphertext was altered
    Then the POS gets error "AUTH-001" with HTTP 401
    And the answer is the one a bad signature gets

  @harness-defined @req:connect.auth.headers
  Scenario Outline: A charge without its headers is refused
    When the POS sends a charge without its <headers>
    Then the POS gets error "AUTH-003" with HTTP 401

    Examples:
      | headers                           |
      | Authorization header              |
      | timestamp header                  |
      | Authorization and timestamp headers |

  @harness-defined @req:connect.auth.basic-prefix
  Scenario: The Basic prefix is required
    When the POS sends a charge whose Authorization lacks the Basic prefix
    Then the POS gets error "AUTH-003" with HTTP 401

  @harness-defined @req:connect.auth.timestamp-bound
  Scenario: A signature made for another timestamp is refused
    When the POS sends a charge signed for a timestamp 60 seconds before its timestamp header
    Then the POS gets error "AUTH-001" with HTTP 401

  @harness-defined @req:connect.auth.encrypted-body
  Scenario: A body that is not encrypted is refused
    When the POS sends a charge in plain JSON
    Then the POS gets error "AUTH-001" with HTTP 401

  @req:connect.auth.encrypted-answers
  Scenario: Answers come back encrypted with the request's timestamp
    When the POS charges 12.00 PEN
    Then the POS gets an approval
    And the answer came encrypted

  @harness-defined @req:connect.auth.encrypted-answers
  Scenario: Errors after authentication come back encrypted too
    When the POS sends the charge plaintext:
      """
      {"client_transaction_id": "{uuid}", "amount": {"subtotal_iva": 0, "subtotal_iva0": 0, "iva": 0}}
      """
    Then the POS gets error "PAR-003" with HTTP 400
    And the answer came encrypted

  @doc:3p-mesapay @harness-defined @req:connect.auth.signature-as-sent
  Scenario: The signature covers the payload in the POS's own key order
    When the POS sends the charge plaintext:
      """
      {"amount": {"iva": 0, "subtotal_iva0": 1200, "subtotal_iva": 0}, "client_transaction_id": "{uuid}"}
      """
    Then the POS gets an approval
