<?php
// Interoperability tests: PHP SoapClient (ext-soap) against a running Guichet server.
//
// Environment (set by run.sh; see README.md to run alone):
//   GUICHET_URL       base URL of the server, e.g. http://127.0.0.1:8080
//   GUICHET_BIN       the guichet binary (for `guichet export`)
//   GUICHET_DATA_DIR  the server's --data-dir
//   GUICHET_WORK      a scratch directory (optional; default: a new temp dir)
//
// Prints one `PASS name` or `FAIL name: why` line per test; exits 1 if any failed.

declare(strict_types=1);

const TENANT = 'demoville';
const TNS = 'urn:guichet:demoville';
const ENV_NS = [
    'soap11' => 'http://schemas.xmlsoap.org/soap/envelope/',
    'soap12' => 'http://www.w3.org/2003/05/soap-envelope',
];
const SOAP_VERSION = ['soap11' => SOAP_1_1, 'soap12' => SOAP_1_2];
const CLIENT_FAULT = ['soap11' => 'Client', 'soap12' => 'Sender'];
const SERVICE_CODES = ['association-directory', 'birth-certificate', 'change-of-address',
                       'road-incident', 'room-booking', 'school-enrolment'];
const REFERENCE_RE = '/^\d{4}-\d{6}$/';
const TRACKING_RE = '/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/';

// Text with non-ASCII and XML-special characters, checked after the round trip.
const LAST_NAME = 'Lefèvre & <Fils>';
const REASON = 'Dossier de mariage — « urgent » & <vite> ]]>';
const INCIDENT = 'Nid-de-poule profond (> 10 cm) & dangereux pour les vélos <urgent>';
const ORGANISATION = 'Association « Les Amis & <Voisins> » d’Œuvre';

final class Failed extends Exception {}

$baseUrl = rtrim(getenv('GUICHET_URL') ?: die("GUICHET_URL is not set\n"), '/');
$bin = getenv('GUICHET_BIN') ?: die("GUICHET_BIN is not set\n");
$dataDir = getenv('GUICHET_DATA_DIR') ?: die("GUICHET_DATA_DIR is not set\n");
$work = getenv('GUICHET_WORK') ?: sys_get_temp_dir();
$failures = 0;

function check(string $name, callable $test): void
{
    global $failures;
    try {
        $test();
        echo "PASS $name\n";
    } catch (Failed $e) {
        $failures++;
        echo "FAIL $name: " . str_replace("\n", ' ', trim($e->getMessage())) . "\n";
    } catch (Throwable $e) {
        $failures++;
        $why = get_class($e) . ': ' . $e->getMessage() . ' (line ' . $e->getLine() . ')';
        echo 'FAIL ' . $name . ': ' . str_replace("\n", ' ', $why) . "\n";
    }
}

function ok(bool $cond, string $why): void
{
    if (!$cond) {
        throw new Failed($why);
    }
}

function eq($got, $want, string $what): void
{
    ok($got === $want, "$what: got " . var_export($got, true) . ', want ' . var_export($want, true));
}

/** A repeated element as a list, whatever SoapClient made of it. */
function items($value): array
{
    return $value === null ? [] : (is_array($value) ? $value : [$value]);
}

function day(int $offsetDays): string
{
    return (new DateTimeImmutable("$offsetDays days"))->format('Y-m-d');
}

/** `guichet export` the stored request, validate it with xmllint, return it as a DOMXPath. */
function exportRequest(string $reference, string $code): DOMXPath
{
    global $bin, $dataDir, $work, $baseUrl;
    $cmd = [$bin, 'export', '--data-dir', $dataDir, '--tenant', TENANT, $reference];
    $proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $xml = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    $rc = proc_close($proc);
    ok($rc === 0, "export exited $rc: $err");
    $file = "$work/php-$reference.xml";
    file_put_contents($file, $xml);
    $xsd = "$work/php-$code.xsd";
    if (!file_exists($xsd)) {
        file_put_contents($xsd, file_get_contents("$baseUrl/" . TENANT . "/xsd/$code.xsd"));
    }
    exec('xmllint --noout --schema ' . escapeshellarg($xsd) . ' ' . escapeshellarg($file) . ' 2>&1',
        $lint, $rc);
    ok($rc === 0, 'xmllint: ' . implode(' ', $lint));
    $doc = new DOMDocument();
    ok($doc->loadXML($xml), 'export is not well-formed XML');
    $xpath = new DOMXPath($doc);
    $xpath->registerNamespace('g', TNS);
    return $xpath;
}

/** Texts of the elements at an XPath in the `g:` namespace. */
function texts(DOMXPath $xpath, string $path): array
{
    $out = [];
    foreach ($xpath->query($path) as $node) {
        $out[] = $node->textContent;
    }
    return $out;
}

/** The PDF sent with the birth certificate request. */
function pdf(): string
{
    return file_get_contents(__DIR__ . '/../fixtures/piece-identite.pdf');
}

function textAt(DOMXPath $xpath, string $path): string
{
    $found = texts($xpath, $path);
    ok(count($found) === 1, "export has " . count($found) . " $path");
    return $found[0];
}

final class Suite
{
    private string $prefix;
    private ?SoapClient $client = null;
    private array $titles = [];
    private array $receipts = [];  // [code, receipt] in submission order

    public function __construct(private string $version)
    {
        $this->prefix = "php/$version";
    }

    public function run(): void
    {
        check("$this->prefix/load-wsdl-and-list-services", fn () => $this->listServices());
        if ($this->client === null) {
            return;
        }
        foreach (['birth-certificate' => 'birthCertificate', 'road-incident' => 'roadIncident',
                  'room-booking' => 'roomBooking',
                  'association-directory' => 'associationDirectory'] as $code => $method) {
            check("$this->prefix/submit-$code", fn () => $this->submit($code, [$this, $method]));
        }
        check("$this->prefix/references-increase", fn () => $this->referencesIncrease());
        foreach ($this->receipts as [$code, $receipt]) {
            check("$this->prefix/status-$code", fn () => $this->status($code, $receipt));
            check("$this->prefix/export-$code", fn () => $this->export($code, $receipt));
        }
        check("$this->prefix/fault-birth-certificate", fn () => $this->faultBirthCertificate());
        check("$this->prefix/fault-unknown-tracking-code", fn () => $this->faultUnknownTrackingCode());
    }

    // 1. WSDL unchanged, the binding for this SOAP version, five services
    private function listServices(): void
    {
        global $baseUrl;
        $client = new SoapClient("$baseUrl/" . TENANT . '/soap?wsdl', [
            'soap_version' => SOAP_VERSION[$this->version],
            'trace' => true,
            'exceptions' => true,
            'cache_wsdl' => WSDL_CACHE_NONE,
            'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
            'connection_timeout' => 15,
        ]);
        $response = $client->ListServices();
        $sent = new DOMDocument();
        $sent->loadXML($client->__getLastRequest());
        eq($sent->documentElement->namespaceURI, ENV_NS[$this->version], 'envelope namespace sent');
        $services = items($response->service ?? null);
        $codes = array_map(fn ($s) => $s->code, $services);
        sort($codes);
        // The first services; the demo town offers the whole library.
        ok(count(array_intersect(SERVICE_CODES, $codes)) === count(SERVICE_CODES) && count($codes) >= 40,
           'service codes: ' . implode(' ', $codes));
        foreach ($services as $s) {
            // A request has a delay; a simulation (Simulate…) answers at once.
            ok($s->title !== '' && (str_starts_with($s->operation, 'Submit') && $s->deadlineDays > 0
                                    || str_starts_with($s->operation, 'Simulate')),
                "incomplete service $s->code");
            $this->titles[$s->code] = $s->title;
        }
        eq($this->titles['change-of-address'], "Déclaration de changement d'adresse",
            'change-of-address title');
        $this->client = $client;
    }

    // 2. submits with non-ASCII and XML-special text
    private function birthCertificate(): stdClass
    {
        return $this->client->SubmitBirthCertificateRequest([
            'requester' => ['civility' => 'Mme', 'firstName' => 'Zoé', 'lastName' => LAST_NAME,
                            'email' => 'zoe.lefevre@example.fr', 'phone' => '06 12 34 56 78'],
            'actType' => 'extract-with-filiation',
            'requesterRelation' => 'self',
            'personLastName' => LAST_NAME,
            'personFirstNames' => 'Zoé Élise',
            'birthDate' => '1990-05-17',
            'birthPlace' => 'Démoville',
            'copies' => 2,
            'deliveryMode' => 'post',
            'reason' => REASON,
            // xs:base64Binary: SoapClient encodes the bytes itself.
            'identityDocument' => ['_' => pdf(), 'fileName' => 'pièce-php.pdf', 'mediaType' => 'application/pdf'],
        ]);
    }

    private function roadIncident(): stdClass
    {
        return $this->client->SubmitRoadIncidentReport([
            'requester' => ['civility' => 'M', 'firstName' => 'Jérôme', 'lastName' => 'Ça & <Là>',
                            'address' => ['street' => "3 rue de l'Église", 'postalCode' => '59000',
                                          'town' => 'Démoville']],
            'category' => 'pothole',
            'location' => ['street' => '12 avenue Jean-Jaurès', 'postalCode' => '59000',
                           'town' => 'Démoville', 'latitude' => '50.6292', 'longitude' => '3.0573'],
            'locationDetails' => 'Devant le n° 12, côté pair',
            'description' => INCIDENT,
            'observedOn' => day(-1),
            'immediateDanger' => true,
        ]);
    }

    private function roomBooking(): stdClass
    {
        return $this->client->SubmitRoomBookingRequest([
            'requester' => ['firstName' => 'Noël', 'lastName' => 'Dupré', 'email' => 'noel@example.fr'],
            'room' => 'salle-polyvalente',
            'organisation' => ORGANISATION,
            'eventType' => 'general-assembly',
            // A room is booked once per slot: each client and SOAP version its day.
            'eventDate' => day($this->version === 'soap11' ? 16 : 17),
            'startTime' => '18:30:00',
            'endTime' => '22:00:00',
            'attendees' => 60,
            'equipment' => ['chairs', 'projector'],
            'comments' => 'Accès PMR nécessaire ; café offert',
        ]);
    }

    // The new field types as PHP sends them: an amount as a float, a country
    // from its enumeration, a partial date, a commune by name and postal code.
    private function associationDirectory(): stdClass
    {
        return $this->client->SubmitAssociationDirectoryRequest([
            'requester' => ['firstName' => 'Zoé', 'lastName' => LAST_NAME, 'email' => 'zoe@example.fr'],
            'associationName' => ORGANISATION,
            'rnaNumber' => 'W595012345',
            'creationDate' => '1912-03',
            'category' => 'culture',
            'purpose' => 'Sauvegarde du patrimoine de la commune.',
            'headOfficeCountry' => 'FR',
            'headOfficeCommune' => '29019',
            'siren' => '732829320',
            'siret' => '73282932000074',
            'membershipFee' => 12.5,
            'ownsPremises' => true,
            'premisesParcel' => '000AB0123',
            'subsidies' => true,
            'iban' => 'FR7630006000011234567890189',
            'bic' => 'BNPAFRPP',
        ]);
    }

    private function submit(string $code, callable $call): void
    {
        $receipt = $call()->receipt;
        ok((bool) preg_match(REFERENCE_RE, $receipt->reference), "reference $receipt->reference");
        ok((bool) preg_match(TRACKING_RE, $receipt->trackingCode), "tracking code $receipt->trackingCode");
        ok((bool) preg_match('/^\d{4}-\d{2}-\d{2}$/', $receipt->dueDate), "dueDate $receipt->dueDate");
        ok($receipt->dueDate > substr($receipt->submittedAt, 0, 10), 'due date not after submission');
        ok(str_ends_with($receipt->trackingUrl, $receipt->trackingCode), "trackingUrl $receipt->trackingUrl");
        $this->receipts[] = [$code, $receipt];
    }

    private function referencesIncrease(): void
    {
        $refs = array_map(fn ($r) => $r[1]->reference, $this->receipts);
        eq(count($refs), 4, 'receipts');
        $keys = array_map(fn ($r) => [(int) substr($r, 0, 4), (int) substr($r, 5)], $refs);
        for ($i = 1; $i < count($keys); $i++) {
            ok($keys[$i - 1] < $keys[$i], 'not increasing: ' . implode(', ', $refs));
        }
    }

    // 3. status and stored text
    private function status(string $code, stdClass $receipt): void
    {
        $st = $this->client->GetRequestStatus(['trackingCode' => $receipt->trackingCode])->status;
        eq($st->reference, $receipt->reference, 'reference');
        eq($st->service, $code, 'service');
        eq($st->serviceTitle, $this->titles[$code], 'serviceTitle');
        if ($code === 'birth-certificate') {
            ok(str_contains($st->serviceTitle, "d'acte"), "serviceTitle $st->serviceTitle");
        }
        eq($st->state, 'received', 'state');
        eq($st->stateLabel, 'Reçue', 'stateLabel');
        eq($st->dueDate, $receipt->dueDate, 'dueDate');
        eq($st->submittedAt, $receipt->submittedAt, 'submittedAt');
        $steps = items($st->step ?? null);
        ok(count($steps) > 0, 'no steps');
        ok($steps[0]->done === true && $steps[0]->current === true, 'first step not done and current');
        // today, where the server stamped submittedAt
        $submitted = new DateTimeImmutable($receipt->submittedAt);
        $today = (new DateTimeImmutable('now'))->setTimezone($submitted->getTimezone())->format('Y-m-d');
        eq($steps[0]->date ?? null, $today, 'first step date');
        eq($st->currentStep, $steps[0]->label, 'currentStep');
        foreach (array_slice($steps, 1) as $s) {
            ok($s->done === false, "step already done: $s->label");
        }
    }

    private function export(string $code, stdClass $receipt): void
    {
        $x = exportRequest($receipt->reference, $code);
        eq(textAt($x, '/g:*/g:reference'), $receipt->reference, 'reference');
        eq(textAt($x, '/g:*/g:channel'), 'soap', 'channel');
        switch ($code) {
            case 'birth-certificate':
                eq(textAt($x, '/g:*/g:requester/g:lastName'), LAST_NAME, 'requester/lastName');
                eq(textAt($x, '/g:*/g:requester/g:firstName'), 'Zoé', 'requester/firstName');
                eq(textAt($x, '/g:*/g:personFirstNames'), 'Zoé Élise', 'personFirstNames');
                eq(textAt($x, '/g:*/g:reason'), REASON, 'reason');
                eq(textAt($x, '/g:*/g:copies'), '2', 'copies');
                eq(textAt($x, '/g:*/g:identityDocument/@fileName'), 'pièce-php.pdf', 'identityDocument fileName');
                eq(textAt($x, '/g:*/g:identityDocument/@mediaType'), 'application/pdf', 'identityDocument mediaType');
                eq(base64_decode(textAt($x, '/g:*/g:identityDocument')), pdf(), 'identityDocument content');
                break;
            case 'road-incident':
                eq(textAt($x, '/g:*/g:requester/g:lastName'), 'Ça & <Là>', 'requester/lastName');
                eq(textAt($x, '/g:*/g:requester/g:address/g:street'), "3 rue de l'Église", 'street');
                eq(textAt($x, '/g:*/g:description'), INCIDENT, 'description');
                eq((float) textAt($x, '/g:*/g:location/g:latitude'), 50.6292, 'latitude');
                eq((float) textAt($x, '/g:*/g:location/g:longitude'), 3.0573, 'longitude');
                break;
            case 'room-booking':
                eq(textAt($x, '/g:*/g:organisation'), ORGANISATION, 'organisation');
                eq(texts($x, '/g:*/g:equipment'), ['chairs', 'projector'], 'equipment');
                eq(substr(textAt($x, '/g:*/g:startTime'), 0, 5), '18:30', 'startTime');
                break;
            case 'association-directory':
                eq(textAt($x, '/g:*/g:associationName'), ORGANISATION, 'associationName');
                eq(textAt($x, '/g:*/g:membershipFee'), '12.50', 'membershipFee, canonical');
                eq(textAt($x, '/g:*/g:headOfficeCommune'), '29019', 'headOfficeCommune');
                eq(textAt($x, '/g:*/g:creationDate'), '1912-03', 'creationDate');
                eq(textAt($x, '/g:*/g:premisesParcel'), '000AB0123', 'premisesParcel');
                break;
        }
    }

    // 4, 5. faults
    /** Call, expect a SoapFault, check its code, return the detail's errors as [field => error]. */
    private function expectFault(callable $call): array
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
            $errors = [];
            foreach (items($fault->detail->ValidationFault->error ?? null) as $e) {
                ok(isset($e->code, $e->message) && $e->message !== '', 'incomplete error ' . json_encode($e));
                $errors[$e->field ?? ''] = $e;
            }
            return $errors;
        }
        throw new Failed('no fault raised');
    }

    private function faultBirthCertificate(): void
    {
        $errors = $this->expectFault(fn () => $this->client->SubmitBirthCertificateRequest([
            'requester' => ['firstName' => 'Zoé', 'lastName' => LAST_NAME, 'email' => 'zoe@example.fr'],
            'actType' => 'extract-without-filiation',
            'requesterRelation' => 'self',
            'personLastName' => 'Lefèvre',
            'personFirstNames' => 'Zoé',
            'birthDate' => day(365),
            'birthPlace' => 'Démoville',
            'copies' => 9,
            'deliveryMode' => 'counter',
        ]));
        ok(isset($errors['birthDate'], $errors['copies']), 'fields ' . implode(', ', array_keys($errors)));
        eq($errors['birthDate']->code, 'birth-date-in-future', 'birthDate code');
        eq($errors['copies']->code, 'above-maximum', 'copies code');
    }

    private function faultUnknownTrackingCode(): void
    {
        $errors = $this->expectFault(
            fn () => $this->client->GetRequestStatus(['trackingCode' => 'ZZZZ-ZZZZ-ZZZZ-ZZZZ']));
        eq(array_map(fn ($e) => [$e->field ?? null, $e->code], array_values($errors)),
            [['trackingCode', 'unknown-tracking-code']], 'errors');
    }
}

/** A town of its own, a service in test, reached by its agents through the testers' endpoint. */
function testersEndpoint(): void
{
    global $baseUrl, $bin, $dataDir;
    $password = 'phpville-2026-mairie';
    $run = function (array $args) use ($bin, $dataDir, $password): void {
        $env = ['GUICHET_AGENT_PASSWORD' => $password, 'GUICHET_DATA_DIR' => $dataDir,
                'GUICHET_LOG' => 'error', 'PATH' => getenv('PATH')];
        // On PostgreSQL, the server's database and secret (run.sh exports them).
        foreach (['GUICHET_DATABASE', 'GUICHET_SECRET'] as $k) {
            if (getenv($k) !== false) {
                $env[$k] = getenv($k);
            }
        }
        $proc = proc_open(array_merge([$bin], $args), [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
        $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        $code = proc_close($proc);
        ok($code === 0, 'guichet ' . implode(' ', $args) . ": $out");
    };
    $run(['tenant', 'add', 'phpville', '--name', 'Ville de PHP', '--admin', 'maire']);
    $run(['service', 'enable', 'road-incident', '--test', '--tenant', 'phpville']);
    $wsdl = "$baseUrl/phpville/soap/test?wsdl";
    $auth = ['login' => 'maire', 'password' => $password, 'authentication' => SOAP_AUTHENTICATION_BASIC];
    $context = stream_context_create(['http' => ['header' => 'Authorization: Basic ' . base64_encode("maire:$password"),
                                                 'ignore_errors' => true]]);
    $deadline = microtime(true) + 15;
    while (!str_contains((string) @file_get_contents($wsdl, false, $context), 'SubmitRoadIncidentReport')) {
        ok(microtime(true) < $deadline, 'the new town is served with its service in test');
        usleep(200_000);
    }
    try {
        new SoapClient($wsdl, ['login' => 'maire', 'password' => 'pas-le-bon', 'cache_wsdl' => WSDL_CACHE_NONE,
                               'exceptions' => true]);
        throw new Failed('the testers\' WSDL opened with a wrong password');
    } catch (SoapFault $f) {
        ok(str_contains($f->getMessage(), '401') || stripos($f->getMessage(), 'Unauthorized') !== false
           || str_contains($f->getMessage(), 'failed to load'), 'refused: ' . $f->getMessage());
    }
    $testers = new SoapClient($wsdl, $auth + ['cache_wsdl' => WSDL_CACHE_NONE, 'exceptions' => true,
                                               'soap_version' => SOAP_1_1, 'trace' => true]);
    eq(array_map(fn ($s) => $s->code, items($testers->ListServices()->service ?? [])), ['road-incident'],
       'services for the agents');
    $receipt = $testers->SubmitRoadIncidentReport([
        'requester' => ['firstName' => 'Agent', 'lastName' => 'Essai', 'email' => 'agent@example.fr'],
        'category' => 'lighting',
        'location' => ['street' => '1 place de la Mairie', 'postalCode' => '59000', 'town' => 'Phpville'],
        'description' => 'Essai du téléservice',
        'observedOn' => day(-1),
    ])->receipt;
    ok(str_contains($receipt->trackingUrl, '/phpville/backoffice/test/track/'), $receipt->trackingUrl);
    eq($testers->GetRequestStatus(['trackingCode' => $receipt->trackingCode])->status->reference,
       $receipt->reference, 'the agents follow their test request');
    $public = new SoapClient("$baseUrl/phpville/soap?wsdl", ['cache_wsdl' => WSDL_CACHE_NONE, 'exceptions' => true]);
    eq(items($public->ListServices()->service ?? []), [], 'nothing public while in test');
    try {
        $public->GetRequestStatus(['trackingCode' => $receipt->trackingCode]);
        throw new Failed('a test request is known to public tracking');
    } catch (SoapFault $f) {
        ok(str_contains(json_encode($f->detail ?? ''), 'unknown-tracking-code') || str_contains($f->getMessage(), 'code de suivi'),
           'unknown publicly: ' . $f->getMessage());
    }
}

/** A SoapClient that remembers its last call, for the documentation snippets. */
class RecordingClient extends SoapClient
{
    public static array $last = [];
    public static ?SoapClient $self = null;

    public function __call(string $name, array $args): mixed
    {
        self::$last = [$name, $args];
        self::$self = $this;
        return parent::__call($name, $args);
    }
}

/** Each service, submitted with the PHP call of its documentation page, gets a
 *  receipt; the same call with the requester's last name empty gets a
 *  ValidationFault naming requester/lastName. */
function everyServiceFromItsDocumentation(): void
{
    global $baseUrl;
    $client = new SoapClient("$baseUrl/demoville/soap?wsdl", ['exceptions' => true]);
    $codes = array_map(fn ($s) => $s->code, items($client->ListServices()->service ?? null));
    ok(count($codes) >= 40, 'the whole catalogue: ' . count($codes));
    // The snippets read their example files beside them, as the page says.
    global $work;
    @mkdir("$work/examples");
    foreach (['exemple.pdf', 'exemple.png'] as $name) {
        copy(__DIR__ . "/../../reference/$name", "$work/examples/$name");
    }
    chdir("$work/examples");
    foreach ($codes as $code) {
        $doc = new DOMDocument();
        $doc->loadXML(file_get_contents("$baseUrl/demoville/services/$code/doc?format=xml"));
        $snippet = $doc->getElementsByTagNameNS('urn:guichet:view:1', 'php')->item(0)->textContent;
        $snippet = str_replace('new SoapClient(', 'new RecordingClient(', preg_replace('/^<\?php\s*/', '', $snippet));
        // A room is booked once per slot: PHP's example forty days later.
        $snippet = preg_replace_callback("/'eventDate' => '(\\d{4}-\\d{2}-\\d{2})'/",
            fn ($m) => "'eventDate' => '" . (new DateTimeImmutable($m[1]))->modify('+40 days')->format('Y-m-d') . "'", $snippet);
        ob_start();
        eval($snippet);
        $printed = trim(ob_get_clean());
        [$operation, $args] = RecordingClient::$last;
        if (str_starts_with($operation, 'Simulate')) {
            // A simulation answers its results; a broken one is refused.
            ok(str_contains($printed, 'quotient '), "$code: $printed");
            $args[0]['children'] = 99;
            try {
                RecordingClient::$self->__soapCall($operation, $args);
                throw new Failed("$code: 99 children accepted");
            } catch (SoapFault $f) {
                ok(str_contains(json_encode($f->detail ?? ''), 'children'), "$code: " . json_encode($f->detail ?? ''));
            }
            continue;
        }
        $words = explode(' ', $printed);
        ok(count($words) === 2 && preg_match(REFERENCE_RE, $words[0]) === 1, "$code: $printed");
        $args[0]['requester']['lastName'] = '';
        try {
            RecordingClient::$self->__soapCall($operation, $args);
            throw new Failed("$code: accepted without a last name");
        } catch (SoapFault $f) {
            $detail = json_encode($f->detail ?? '');
            ok(str_contains($detail, 'requester\/lastName') && str_contains($detail, 'required'), "$code: $detail");
        }
    }
}

foreach (['soap11', 'soap12'] as $version) {
    (new Suite($version))->run();
}
check('php/every-service-submitted-from-its-documentation', fn () => everyServiceFromItsDocumentation());
check('php/testers-endpoint-for-a-service-in-test', fn () => testersEndpoint());
// The exchange API for business software: php_exchange.php, reported here.
require __DIR__ . '/php_exchange.php';
exchangeSuites();
exit($failures ? 1 : 0);
