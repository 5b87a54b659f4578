@doc:connect-printing
Feature: Printing from the terminal
  The POS sends a print job, a commands array laid out as mesapay does (text, columns, divider,
  feed, space, cut, qr), over the same hash and encryption as payments; the terminal answers 202
  Accepted at once and prints asynchronously; the final state, COMPLETED or FAILED, arrives by
  polling GET print_job?print_job_id= or by webhook (ref §1.8). The answer shapes, the timing and
  the printer's faults are the harness's (H9).

  @req:connect.print.job @req:connect.print.result @req:connect.print.commands
  Scenario: A print job is accepted at once and polling reaches COMPLETED
    When the POS sends a print job for "GRACIAS POR SU COMPRA"
    Then the POS gets the print job accepted as PENDING
    And the answer came encrypted
    And the print job ends COMPLETED

  @req:connect.print.result
  Scenario: The final state is posted to the job's webhook
    Given an events receiver
    When the POS sends a print job for "CUPON 10%" with a webhook
    Then the POS gets the print job accepted as PENDING
    And the events receiver gets the print job's final state COMPLETED

  @faults @harness-defined @req:connect.print.faults
  Scenario: A printer out of paper fails the job
    Given the printer is out of paper
    When the POS sends a print job for "PRE-CUENTA MESA 4"
    Then the POS gets the print job accepted as PENDING
    And the print job ends FAILED with error "TER-101"

  @faults @harness-defined @req:connect.print.faults
  Scenario: A job that skips a busy printer fails at once
    Given the printer is busy
    When the POS sends a print job for "TICKET COCINA" that skips a busy printer
    Then the POS gets the print job accepted as PENDING
    And the print job ends FAILED with error "TER-102"

  @harness-defined @req:connect.print.ids
  Scenario: Polling an unknown print job is NF-002
    When the POS polls the print job "no-such-job"
    Then the POS gets error "NF-002" with HTTP 404
    And the answer came encrypted

  @harness-defined @req:connect.print.ids
  Scenario: A printJobId is used once
    When the POS sends a print job for "GRACIAS"
    And the POS sends the same print job again
    Then the POS gets error "PAR-002" with HTTP 400
    And the error's param is "printJobId"

  @harness-defined @req:connect.print.commands
  Scenario: An unknown command is a parameter error naming it
    When the POS sends the print plaintext:
      """
      {"commands": [{"type": "text", "text": "ok"}, {"type": "barcode", "content": "123"}]}
      """
    Then the POS gets error "PAR-002" with HTTP 400
    And the error's param is "commands.1.type"

  @topology:lan @doc:connect-payments-co @doc:3p-mesapay @req:connect.print.routes
  Scenario Outline: The LAN serves the print routes
    When the POS sends a print job for "GRACIAS" on the route "<route>"
    Then the POS gets the print job accepted as PENDING

    Examples:
      | route      |
      | print      |
      | print/job  |
      | sync/print |

  @topology:cloud @doc:connect-payments-co @doc:3p-mesapay @req:connect.print.routes
  Scenario Outline: The cloud serves the print routes under the serial
    When the POS sends a print job for "GRACIAS" on the route "<route>"
    Then the POS gets the print job accepted as PENDING

    Examples:
      | route          |
      | sync/print     |
      | sync/print/job |
