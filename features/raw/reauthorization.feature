@doc:raw-reauthorization
Feature: Re-authorization on the raw card-present API
  A re-authorization (transaction_mode Authorization, transaction_type reAuthorization) names the
  pre-authorization by its transaction_reference to increase or adjust the authorized amount;
  "sending an amount of $0 in the reauthorization is a common practice to extend the capture
  date without actually capturing any funds" (ref §2.3).

  @req:raw.reauth @doc:raw-auth-capture
  Scenario: A re-authorization of a pre-authorization is approved
    Given an approved pre-authorization of 80.00 PEN
    When the terminal app re-authorizes the pre-authorization for 120.00 PEN
    Then the transaction is approved
    And the answer's transaction_type is "reAuthorization"

  @req:raw.reauth @harness-defined
  Scenario Outline: The re-authorized amount is what a later capture takes (<direction>)
    Given an approved pre-authorization of 80.00 PEN
    When the terminal app re-authorizes the pre-authorization for <new>
    Then the transaction is approved
    When the terminal app captures the pre-authorization
    Then the transaction is approved
    And the authorized amount is <new>

    Examples:
      | direction | new        |
      | increase  | 120.00 PEN |
      | adjust    | 60.00 PEN  |

  @req:raw.reauth.zero-extends
  Scenario: A re-authorization of 0 extends the pre-authorization without changing its amount
    Given an approved pre-authorization of 80.00 PEN
    When the terminal app re-authorizes the pre-authorization for 0.00 PEN
    Then the transaction is approved
    When the terminal app captures the pre-authorization
    Then the transaction is approved
    And the authorized amount is 80.00 PEN

  @req:raw.reauth.reference @harness-defined
  Scenario: A re-authorization of a charge is refused
    Given an approved charge of 80.00 PEN
    When the terminal app re-authorizes the charge for 90.00 PEN
    Then the request is refused with HTTP 400 and code "E910"

  @req:raw.capture.once @harness-defined
  Scenario: A captured pre-authorization can no longer be re-authorized
    Given an approved pre-authorization of 80.00 PEN
    When the terminal app captures the pre-authorization
    Then the transaction is approved
    When the terminal app re-authorizes the pre-authorization for 90.00 PEN
    Then the request is refused with HTTP 400 and code "E912"
