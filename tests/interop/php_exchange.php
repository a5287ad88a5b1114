<?php
// Interoperability tests of the exchange API (/demoville/exchange) with PHP SoapClient.
//
// Required by php_test.php, whose helpers (check, ok, eq, items) and globals ($baseUrl, $bin,
// $dataDir, $work) it uses; same PASS/FAIL lines.
//
// Business software's round, as PHP developers write it: the WS-Security UsernameToken is a
// SoapHeader whose content is a SoapVar of XSD_ANYXML, the digest
// base64_encode(sha1($nonce . $created . $password, true)). An exchange account made with
// `guichet api-account add`, the backlog acknowledged, two road incidents submitted on the
// citizen-facing service, listed in pages of one, their files fetched and validated against
// the served XSD, acknowledged, one moved qualify -> schedule -> fixed revision by revision
// while the citizen's status follows, its history naming the software; then the faults: stale
// revision, wrong password, replayed token (the same SoapHeader sent twice).

declare(strict_types=1);

const EXCHANGE_NS = 'urn:guichet:demoville:exchange';
const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const WSS_PASSWORD_DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const WSS_BASE64 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

const EXCHANGE_LOGIN = 'php-voirie';
const EXCHANGE_ACCOUNT_NAME = 'Logiciel voirie — Démoville (PHP)';
const EXCHANGE_PASSWORD = 'php-voirie-2026-mot-de-passe';
// Non-ASCII and XML-special text: in the request file, then in the citizen's status.
const EXCHANGE_DESCRIPTION = 'Nid-de-poule (> 10 cm) & <dangereux> — côté « pair »';
const EXCHANGE_MESSAGE = 'Intervention prévue lundi : équipe « B » & <camion 3>';

/** The wsse:Security header of a UsernameToken with PasswordDigest, mustUnderstand. */
function wsseSecurityHeader(string $envelopeNs, string $login, string $password): SoapHeader
{
    $nonce = random_bytes(16);
    $created = gmdate('Y-m-d\TH:i:s\Z');
    $digest = base64_encode(sha1($nonce . $created . $password, true));
    $xml = '<wsse:Security xmlns:wsse="' . WSSE_NS . '" xmlns:wsu="' . WSU_NS . '"'
        . ' xmlns:soapenv="' . $envelopeNs . '" soapenv:mustUnderstand="1">'
        . '<wsse:UsernameToken>'
        . '<wsse:Username>' . htmlspecialchars($login, ENT_XML1) . '</wsse:Username>'
        . '<wsse:Password Type="' . WSS_PASSWORD_DIGEST . '">' . $digest . '</wsse:Password>'
        . '<wsse:Nonce EncodingType="' . WSS_BASE64 . '">' . base64_encode($nonce) . '</wsse:Nonce>'
        . '<wsu:Created>' . $created . '</wsu:Created>'
        . '</wsse:UsernameToken></wsse:Security>';
    return new SoapHeader(WSSE_NS, 'Security', new SoapVar($xml, XSD_ANYXML), true);
}

/** `guichet api-account add` while the server runs: the account the tests call as. */
function addExchangeAccount(): void
{
    global $bin, $dataDir;
    $env = ['GUICHET_API_PASSWORD' => EXCHANGE_PASSWORD, 'GUICHET_LOG' => 'error', 'PATH' => getenv('PATH')];
    // On PostgreSQL, the server's database and secret (run.sh exports them).
    foreach (['GUICHET_DATABASE', 'GUICHET_SECRET'] as $k) {
        if (getenv($k) !== false) {
            $env[$k] = getenv($k);
        }
    }
    $run = function (array $args) use ($bin, $env): string {
        $proc = proc_open(array_merge([$bin], $args), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        $code = proc_close($proc);
        ok($code === 0, 'guichet ' . implode(' ', $args) . ": $err");
        return $out;
    };
    $run(['api-account', 'add', EXCHANGE_LOGIN, '--name', EXCHANGE_ACCOUNT_NAME, '--role', 'voirie:handler',
          '--data-dir', $dataDir]);
    $listed = $run(['api-account', 'list', '--data-dir', $dataDir]);
    ok(str_contains($listed, EXCHANGE_LOGIN), "api-account list: $listed");
}

final class ExchangeSuite
{
    private string $prefix;
    private ?SoapClient $client = null;
    private ?SoapClient $citizen = null;
    private array $receipts = [];   // the two road incidents, in submission order
    private array $revisions = [];  // reference => revision of its GetRequestFile
    private ?stdClass $lastChange = null;

    public function __construct(private string $version)
    {
        $this->prefix = "php/$version";
    }

    public function run(): void
    {
        $p = $this->prefix;
        check("$p/exchange-load-wsdl-and-catch-up", fn () => $this->loadAndCatchUp());
        if ($this->client === null) {
            return;
        }
        check("$p/exchange-submit-two-road-incidents", fn () => $this->submit());
        if (count($this->receipts) !== 2) {
            return;
        }
        check("$p/exchange-list-new-requests-in-pages", fn () => $this->listInPages());
        check("$p/exchange-get-request-file-valid-against-xsd", fn () => $this->requestFiles());
        check("$p/exchange-acknowledge-requests", fn () => $this->acknowledge());
        check("$p/exchange-update-status-to-fixed", fn () => $this->updateToFixed());
        check("$p/exchange-citizen-sees-incident-repaired", fn () => $this->citizenSeesFixed());
        check("$p/exchange-history-names-the-software", fn () => $this->history());
        check("$p/exchange-fault-stale-revision", fn () => $this->staleRevision());
        check("$p/exchange-fault-wrong-password", fn () => $this->wrongPassword());
        check("$p/exchange-fault-replayed-token", fn () => $this->replayedToken());
    }

    /** The client, with a fresh token for its next call. */
    private function exchange(string $password = EXCHANGE_PASSWORD): SoapClient
    {
        $this->client->__setSoapHeaders([wsseSecurityHeader(ENV_NS[$this->version], EXCHANGE_LOGIN, $password)]);
        return $this->client;
    }

    /** Call, expect a SoapFault, check its code; the ValidationFault's [[field, code]]. */
    private function fault(callable $call): array
    {
        try {
            $call();
        } catch (SoapFault $fault) {
            // SoapClient gives the code as the raw prefixed text: resolve it against the response.
            $doc = new DOMDocument();
            ok($doc->loadXML($this->client->__getLastResponse()), 'fault response is not XML');
            $xpath = new DOMXPath($doc);
            $xpath->registerNamespace('s12', ENV_NS['soap12']);
            $codeNode = $xpath->query('//faultcode | //s12:Code/s12:Value')->item(0);
            ok($codeNode !== null, 'no fault code in the response');
            eq(trim($codeNode->textContent), $fault->faultcode, 'SoapFault code vs envelope');
            [$prefix, $local] = str_contains($fault->faultcode, ':')
                ? explode(':', $fault->faultcode, 2) : [null, $fault->faultcode];
            eq([$codeNode->lookupNamespaceURI($prefix), $local],
               [ENV_NS[$this->version], CLIENT_FAULT[$this->version]], 'fault code {namespace, local}');
            ok($fault->faultstring !== '', 'empty fault string/reason');
            ok(isset($fault->detail->ValidationFault), 'detail without ValidationFault: '
                . json_encode($fault->detail ?? null));
            // Without the schema, a single error is an object, not a one-item array.
            $errors = [];
            foreach (items($fault->detail->ValidationFault->error ?? null) as $e) {
                ok(isset($e->code, $e->message) && $e->message !== '', 'incomplete error ' . json_encode($e));
                $errors[] = [$e->field ?? null, $e->code];
            }
            return $errors;
        }
        throw new Failed('no fault raised');
    }

    // 1. the WSDL, the token, and a clean slate: what earlier tests filed is acknowledged
    private function loadAndCatchUp(): void
    {
        global $baseUrl;
        $this->client = new SoapClient("$baseUrl/" . TENANT . '/exchange?wsdl', [
            'soap_version' => SOAP_VERSION[$this->version],
            'trace' => true,
            'exceptions' => true,
            'cache_wsdl' => WSDL_CACHE_NONE,
            'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
            'connection_timeout' => 15,
        ]);
        try {
            while (true) {
                $page = $this->exchange()->ListNewRequests(['limit' => 500]);
                $refs = array_map(fn ($r) => $r->reference, items($page->request ?? null));
                if (!$refs) {
                    break;
                }
                eq($this->exchange()->AcknowledgeRequests(['reference' => $refs])->acknowledged, count($refs),
                   'acknowledged backlog');
            }
            $sent = new DOMDocument();
            $sent->loadXML($this->client->__getLastRequest());
            eq($sent->documentElement->namespaceURI, ENV_NS[$this->version], 'envelope namespace sent');
            $xpath = new DOMXPath($sent);
            $xpath->registerNamespace('env', ENV_NS[$this->version]);
            $xpath->registerNamespace('wsse', WSSE_NS);
            eq($xpath->evaluate('string(/env:Envelope/env:Header/wsse:Security/wsse:UsernameToken/wsse:Password/@Type)'),
               WSS_PASSWORD_DIGEST, 'Password Type sent');
            eq(isset($page->cursor), false, 'cursor of an empty page');
            eq($page->more, false, 'more');
            $this->citizen = new SoapClient("$baseUrl/" . TENANT . '/soap?wsdl', [
                'soap_version' => SOAP_VERSION[$this->version],
                'exceptions' => true,
                'cache_wsdl' => WSDL_CACHE_NONE,
                'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
            ]);
        } catch (Throwable $e) {
            $this->client = null;
            throw $e;
        }
    }

    // 2. the round trip
    private function submit(): void
    {
        foreach ([1, 2] as $i) {
            $this->receipts[] = $this->citizen->SubmitRoadIncidentReport([
                'requester' => ['firstName' => 'Zoé', 'lastName' => "Échange-$this->version-$i",
                                'email' => 'zoe@example.fr'],
                'category' => 'pothole',
                'location' => ['street' => "$i rue de l'Église", 'postalCode' => '59000', 'town' => 'Démoville'],
                'description' => EXCHANGE_DESCRIPTION . " n° $i",
                'observedOn' => day(0),
            ])->receipt;
        }
    }

    private function listInPages(): void
    {
        [$first, $second] = $this->receipts;
        $page = $this->exchange()->ListNewRequests(['limit' => 1]);
        $requests = items($page->request ?? null);
        eq(array_map(fn ($r) => $r->reference, $requests), [$first->reference], 'first page');
        eq($page->more, true, 'more after the first page');
        ok(($page->cursor ?? '') !== '', 'no cursor');
        $summary = $requests[0];
        eq([$summary->service, $summary->department, $summary->step], ['road-incident', 'voirie', 'received'],
           'service, department, step');
        eq($summary->submittedAt, $first->submittedAt, 'submittedAt');
        eq($summary->dueDate, $first->dueDate, 'dueDate');
        ok(is_int($summary->serviceVersion) && is_int($summary->revision), 'serviceVersion, revision: ' . json_encode($summary));
        $page = $this->exchange()->ListNewRequests(['after' => $page->cursor, 'limit' => 1]);
        eq(array_map(fn ($r) => $r->reference, items($page->request ?? null)), [$second->reference], 'second page');
        eq($page->more, false, 'more after the second page');
    }

    private function requestFiles(): void
    {
        global $baseUrl, $work;
        $schema = "$baseUrl/" . TENANT . '/xsd/road-incident.xsd';
        $xsd = "$work/php-exchange-road-incident.xsd";
        if (!file_exists($xsd)) {
            file_put_contents($xsd, file_get_contents($schema));
        }
        foreach ($this->receipts as $i => $receipt) {
            $request = $this->exchange()->GetRequestFile(['reference' => $receipt->reference])->request;
            eq([$request->reference, $request->service, $request->department],
               [$receipt->reference, 'road-incident', 'voirie'], 'reference, service, department');
            eq([$request->step, $request->stepLabel, $request->finished, $request->waitingForRequester],
               ['received', 'Signalement reçu', false, false], 'step');
            eq($request->schema, $schema, 'schema');
            ok(in_array('qualify', array_map(fn ($a) => $a->id, items($request->action ?? null)), true),
               'actions ' . json_encode($request->action ?? null));
            // xs:base64Binary: SoapClient hands over the decoded bytes.
            ok(str_starts_with($request->file, '<?xml'), 'file: ' . substr($request->file, 0, 40));
            $file = "$work/php-exchange-$receipt->reference.xml";
            file_put_contents($file, $request->file);
            $lint = [];
            exec('xmllint --noout --schema ' . escapeshellarg($xsd) . ' ' . escapeshellarg($file) . ' 2>&1',
                $lint, $rc);
            ok($rc === 0, 'xmllint: ' . implode(' ', $lint));
            $doc = new DOMDocument();
            ok($doc->loadXML($request->file), 'file is not well-formed XML');
            $xpath = new DOMXPath($doc);
            $xpath->registerNamespace('g', TNS);
            eq($xpath->evaluate('string(/g:*/g:reference)'), $receipt->reference, 'file reference');
            eq($xpath->evaluate('string(/g:*/g:description)'), EXCHANGE_DESCRIPTION . ' n° ' . ($i + 1),
               'file description');
            $this->revisions[$receipt->reference] = $request->revision;
        }
    }

    private function acknowledge(): void
    {
        $refs = array_map(fn ($r) => $r->reference, $this->receipts);
        eq($this->exchange()->AcknowledgeRequests(['reference' => $refs])->acknowledged, 2, 'acknowledged');
        $page = $this->exchange()->ListNewRequests([]);
        eq(items($page->request ?? null), [], 'still listed');
        eq($page->more, false, 'more');
        // Twice is no error: none was still new.
        eq($this->exchange()->AcknowledgeRequests(['reference' => $refs])->acknowledged, 0, 'acknowledged again');
    }

    private function updateToFixed(): void
    {
        $first = $this->receipts[0];
        $revision = $this->revisions[$first->reference] ?? null;
        ok($revision !== null, 'no revision from GetRequestFile');
        $steps = [['qualify', null, 'qualified', 'Signalement examiné'],
                  ['schedule', EXCHANGE_MESSAGE, 'scheduled', 'Intervention planifiée'],
                  ['fixed', null, 'fixed', 'Incident réparé']];
        foreach ($steps as [$action, $message, $step, $label]) {
            $params = ['reference' => $first->reference, 'action' => $action, 'revision' => $revision];
            if ($message !== null) {
                $params['messageToCitizen'] = $message;
            }
            $change = $this->exchange()->UpdateRequestStatus($params)->change;
            eq([$change->reference, $change->step, $change->finished], [$first->reference, $step, $step === 'fixed'],
               "change after $action");
            ok($change->revision > $revision, "revision $change->revision after $revision");
            $revision = $change->revision;
            eq($this->citizen->GetRequestStatus(['trackingCode' => $first->trackingCode])->status->currentStep, $label,
               "citizen's current step after $action");
        }
        $this->lastChange = $change;
    }

    private function citizenSeesFixed(): void
    {
        $status = $this->citizen->GetRequestStatus(['trackingCode' => $this->receipts[0]->trackingCode])->status;
        eq($status->currentStep, 'Incident réparé', 'currentStep');
        eq(array_map(fn ($s) => [$s->label, $s->done], items($status->step ?? null)),
           [['Signalement reçu', true], ['Signalement examiné', true], ['Intervention planifiée', true],
            ['Incident réparé', true]], 'steps');
        eq(array_map(fn ($m) => [$m->from, $m->text], items($status->message ?? null)),
           [['town', EXCHANGE_MESSAGE]], 'messages');
    }

    private function history(): void
    {
        ok($this->lastChange !== null, 'the request was not moved to its end');
        $answer = $this->exchange()->GetRequestHistory(['reference' => $this->receipts[0]->reference]);
        $events = items($answer->event ?? null);
        eq(array_map(fn ($e) => $e->action, $events), ['submitted', 'qualify', 'schedule', 'answer', 'fixed'],
           'actions');
        eq($events[0]->actor, 'citizen:soap', 'submitter');
        foreach (array_slice($events, 1) as $e) {
            eq([$e->actor, $e->actorName ?? null], ['api:' . EXCHANGE_LOGIN, EXCHANGE_ACCOUNT_NAME],
               "actor of $e->action");
        }
        eq(array_map(fn ($e) => [$e->fromStep ?? null, $e->toStep ?? null], array_slice($events, 1)),
           [['received', 'qualified'], ['qualified', 'scheduled'], ['scheduled', null], ['scheduled', 'fixed']],
           'steps');
        eq($events[3]->comment ?? null, EXCHANGE_MESSAGE, "the message's comment");
        eq($answer->revision, $this->lastChange->revision, 'revision');
    }

    // 3. a decision on a revision that is gone
    private function staleRevision(): void
    {
        $second = $this->receipts[1];
        $old = $this->revisions[$second->reference] ?? null;
        ok($old !== null, 'no revision from GetRequestFile');
        $change = $this->exchange()->UpdateRequestStatus(
            ['reference' => $second->reference, 'action' => 'qualify', 'revision' => $old])->change;
        $errors = $this->fault(fn () => $this->exchange()->UpdateRequestStatus(
            ['reference' => $second->reference, 'action' => 'schedule', 'revision' => $old]));
        eq($errors, [['revision', 'stale-revision']], 'errors');
        $now = $this->exchange()->GetRequestFile(['reference' => $second->reference])->request;
        eq([$now->step, $now->revision], ['qualified', $change->revision], 'nothing applied');
    }

    // 4. security
    private function wrongPassword(): void
    {
        $errors = $this->fault(fn () => $this->exchange('pas-le-bon-mot-de-passe-du-tout')->ListNewRequests([]));
        eq($errors, [[null, 'failed-authentication']], 'errors');
    }

    private function replayedToken(): void
    {
        // The same SoapHeader for two calls.
        $this->client->__setSoapHeaders([wsseSecurityHeader(ENV_NS[$this->version], EXCHANGE_LOGIN, EXCHANGE_PASSWORD)]);
        eq($this->client->ListNewRequests([])->more, false, 'first use of the token');
        $first = $this->securityHeaderSent();
        $errors = $this->fault(fn () => $this->client->ListNewRequests([]));
        eq($this->securityHeaderSent(), $first, 'the header sent twice');
        eq($errors, [[null, 'security-token-replayed']], 'errors');
    }

    /** The wsse:Security element of the last request, as text. */
    private function securityHeaderSent(): string
    {
        $sent = new DOMDocument();
        $sent->loadXML($this->client->__getLastRequest());
        $security = $sent->getElementsByTagNameNS(WSSE_NS, 'Security')->item(0);
        ok($security !== null, 'no wsse:Security sent');
        return $sent->saveXML($security);
    }
}

function exchangeSuites(): void
{
    $added = false;
    check('php/exchange-account-added-while-serving', function () use (&$added) {
        addExchangeAccount();
        $added = true;
    });
    if (!$added) {
        return;
    }
    foreach (['soap11', 'soap12'] as $version) {
        (new ExchangeSuite($version))->run();
    }
}
