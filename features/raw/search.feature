@doc:raw-search
Feature: Transaction search
  POST /pos-analytics/v1/transactions/search finds the merchant's transactions, most recent
  first, filtered by client_transaction_id, transaction_reference, transaction_type, dates (epoch
  ms), BIN and last four digits, in pages of at most 500 (ref §2.10). The newer form pages with
  page and size, the older one with from and size; the answer is {"items":[…]} (add §6.4).

  @req:raw.search.filters @req:raw.search.response @doc:cl-search-src
  Scenario: A charge is found by its client_transaction_id
    Given an approved charge of 15.00 PEN
    And an approved charge of 16.00 PEN
    When the terminal app searches by the charge's client_transaction_id
    Then the search finds 1 transaction
    And the first transaction found is the charge

  @req:raw.search.filters @doc:cl-search-src
  Scenario: A charge is found by its transaction_reference
    Given an approved charge of 15.00 PEN
    And an approved charge of 16.00 PEN
    When the terminal app searches by the charge's transaction_reference
    Then the search finds 1 transaction
    And the first transaction found is the charge

  @req:raw.search.filters @doc:raw-transactions
  Scenario: Transactions are found by type
    Given an approved pre-authorization of 55.00 PEN
    And an approved charge of 15.00 PEN
    And an approved charge of 16.00 PEN
    When the terminal app searches for preAuth transactions
    Then the search finds 1 transaction
    And every transaction found is a preAuth
    When the terminal app searches for charge transactions
    Then the search finds 2 transactions
    And every transaction found is a charge

  @req:raw.search.filters @virtual-time @doc:raw-transactions
  Scenario: Transactions are found by date
    Given an approved charge of 15.00 PEN
    And 2 hours have passed
    And an approved charge of 16.00 PEN
    When 10 minutes pass
    And the terminal app searches the transactions of the last 60 minutes
    Then the search finds 1 transaction
    And the first transaction found is the charge

  @req:raw.search.filters @doc:raw-transactions
  Scenario: Transactions are found by the card's BIN and last four digits
    When the terminal app charges 15.00 PEN by chip with the visa-credit card
    And the terminal app charges 16.00 PEN by contactless with the mastercard-credit card
    And the terminal app searches by bin "555555"
    Then the search finds 1 transaction
    And the first transaction found is the charge
    When the terminal app searches by last four digits "1111"
    Then the search finds 1 transaction

  @req:raw.search.filters @req:raw.search.from @doc:cl-search-src
  Scenario: The older form's card_four_digits filter finds the card too
    When the terminal app charges 15.00 PEN by swipe with the mastercard-credit card
    And the terminal app searches by card four digits "4444"
    Then the search finds 1 transaction

  @req:raw.search.order
  Scenario: The most recent transaction comes first
    Given an approved charge of 15.00 PEN
    When the terminal app voids the charge
    And the terminal app searches page 1 of 10 transactions
    Then the search finds 2 transactions
    And the first transaction found is the void

  @req:raw.search.page @doc:raw-transactions
  Scenario: Pages are numbered from 1
    Given an approved charge of 11.00 PEN
    And an approved charge of 12.00 PEN
    And an approved charge of 13.00 PEN
    When the terminal app searches page 1 of 2 transactions
    Then the search finds 2 transactions
    And the first transaction found is the charge
    When the terminal app searches page 2 of 2 transactions
    Then the search finds 1 transaction

  @req:raw.search.from @doc:cl-search-src
  Scenario: The older form pages by offset
    Given an approved charge of 11.00 PEN
    And an approved charge of 12.00 PEN
    And an approved charge of 13.00 PEN
    When the terminal app searches 2 transactions from offset 0
    Then the search finds 2 transactions
    And the first transaction found is the charge
    When the terminal app searches 2 transactions from offset 2
    Then the search finds 1 transaction

  @req:raw.search.page @doc:raw-transactions
  Scenario: A page of more than 500 transactions is refused naming size
    When the terminal app sends to "/pos-analytics/v1/transactions/search":
      """
      {"page": 1, "size": 501}
      """
    Then the request is refused with HTTP 400 and code "E001"
    And the error names "/size"

  @req:raw.search.credential @req:raw.auth.credential @doc:raw-transactions
  Scenario: A search without a credential is unauthorized
    When the terminal app searches without a credential
    Then the request is refused with HTTP 401 Unauthorized
