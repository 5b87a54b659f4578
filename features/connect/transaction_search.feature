@doc:connect-payments
Feature: Transaction search through Kushki ONE Connect
  /transaction_search_local answers the history stored on the terminal, with no internet needed;
  /transaction_search_online asks the acquirer (ref §1.4). Both take optional
  client_transaction_id, transaction_reference, from/to, page and size and answer {"items":[…]},
  most recent first (harness-defined H3).

  @harness-defined @req:connect.search.local
  Scenario: The local history lists the terminal's operations, most recent first
    Given a POS-approved charge of 20.00 PEN
    When the POS voids the charge
    And the POS searches the terminal's local history
    Then the history lists 2 operations
    And the first operation listed is the void
    And the answer came encrypted

  @harness-defined @req:connect.search.local
  Scenario: The local history is searched by client_transaction_id
    Given a POS-approved charge of 20.00 PEN
    When the POS pre-authorizes 7.00 PEN
    And the POS searches the terminal's local history for the charge
    Then the history lists 1 operation
    And the first operation listed is the charge

  @harness-defined @req:connect.search.local
  Scenario: The local history is paged
    Given a POS-approved charge of 20.00 PEN
    When the POS pre-authorizes 7.00 PEN
    And the POS searches the terminal's local history, page 1 of 1
    Then the history lists 1 operation
    And the first operation listed is the pre-authorization
    When the POS searches the terminal's local history, page 2 of 1
    Then the history lists 1 operation
    And the first operation listed is the charge

  @faults @req:connect.search.local-offline @req:connect.errors.acquirer-status
  Scenario: The local search needs no acquirer, the online search does
    Given a POS-approved charge of 20.00 PEN
    And the acquirer answers the terminal with HTTP 503
    When the POS searches the terminal's local history
    Then the history lists 1 operation
    When the POS searches the acquirer's history
    Then the POS gets error "E002" with HTTP 503
    And the error's type is "ACQUIRER"

  @harness-defined @req:connect.search.online
  Scenario: The online history lists what the acquirer recorded
    Given a POS-approved charge of 20.00 PEN
    When the POS voids the charge
    And the POS searches the acquirer's history
    Then the history lists 2 operations
    And the answer came encrypted

  @harness-defined @req:connect.search.online
  Scenario: The online history is searched by client_transaction_id
    Given a POS-approved charge of 20.00 PEN
    When the POS pre-authorizes 7.00 PEN
    And the POS searches the acquirer's history for the charge
    Then the history lists 1 operation
    And the first operation listed is the charge
