<?php
// HTTPS interoperability: PHP SoapClient against Guichet serving TLS itself.
//
// Environment (set by tls_test.sh):
//   GUICHET_TLS_URL   https://127.0.0.1:PORT, the server started with --tls-cert/--tls-key
//   GUICHET_TLS_CA    the test CA that signed its certificate (PEM)
//   GUICHET_WORK      a scratch directory (a copy of the WSDL goes there)
//
// Prints one `PASS name` or `FAIL name: why` line per test; exits 1 if any failed.

declare(strict_types=1);

const TENANT = 'demoville';
const PORTS = ['soap11' => SOAP_1_1, 'soap12' => SOAP_1_2];
const REFERENCE_RE = '/^\d{4}-\d{6}$/';

final class Failed extends Exception {}

$base = rtrim(getenv('GUICHET_TLS_URL') ?: die("GUICHET_TLS_URL is not set\n"), '/');
$ca = getenv('GUICHET_TLS_CA') ?: die("GUICHET_TLS_CA is not set\n");
$work = getenv('GUICHET_WORK') ?: sys_get_temp_dir();
$wsdl = "$base/" . TENANT . '/soap?wsdl';
$failures = 0;

function check(string $name, callable $test): void
{
    global $failures;
    try {
        $note = $test();
        echo "PASS $name" . ($note ? ": $note" : '') . "\n";
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

/** The `ssl` stream context options: peer verified, with the test CA or the system's trust. */
function sslContext(?string $cafile)
{
    $ssl = ['verify_peer' => true, 'verify_peer_name' => true, 'allow_self_signed' => false];
    if ($cafile !== null) {
        $ssl['cafile'] = $cafile;
    }
    return stream_context_create(['ssl' => $ssl]);
}

function client(string $wsdl, int $version, ?string $cafile): SoapClient
{
    return new SoapClient($wsdl, [
        'soap_version' => $version,
        'stream_context' => sslContext($cafile),
        'cache_wsdl' => WSDL_CACHE_NONE, // a cached WSDL would hide a refused download
        'exceptions' => true,
        'trace' => true,
        'connection_timeout' => 10,
    ]);
}

/** Runs $call, which must fail; returns the fault's message and the PHP warnings raised. */
function refused(callable $call): string
{
    $warnings = [];
    set_error_handler(function (int $no, string $message) use (&$warnings): bool {
        $warnings[] = $message;
        return true;
    });
    try {
        $call();
        throw new Failed('it went through without trusting the test CA');
    } catch (SoapFault $f) {
        return $f->getMessage() . ' | ' . implode(' | ', $warnings);
    } finally {
        restore_error_handler();
    }
}

function submitAndStatus(string $version): string
{
    global $wsdl, $ca, $base;
    $client = client($wsdl, PORTS[$version], $ca);
    $receipt = $client->SubmitRoadIncidentReport([
        'requester' => ['firstName' => 'Zoé', 'lastName' => 'Lefèvre & <Fils>', 'email' => 'zoe@example.fr'],
        'category' => 'lighting',
        'location' => ['street' => '1 place de la Mairie', 'postalCode' => '59000', 'town' => 'Démoville'],
        'description' => 'Lampadaire éteint « depuis lundi » & <clignotant>',
        'observedOn' => (new DateTimeImmutable('-1 day'))->format('Y-m-d'),
    ])->receipt;
    $sent = $client->__getLastRequest();
    $ns = $version === 'soap11' ? 'http://schemas.xmlsoap.org/soap/envelope/' : 'http://www.w3.org/2003/05/soap-envelope';
    ok(str_contains($sent, "\"$ns\""), "the request is not a $version envelope");
    ok(preg_match(REFERENCE_RE, $receipt->reference) === 1, "reference $receipt->reference");
    eq($receipt->trackingUrl, "$base/" . TENANT . "/track/$receipt->trackingCode", 'trackingUrl');
    $status = $client->GetRequestStatus(['trackingCode' => $receipt->trackingCode])->status;
    eq($status->reference, $receipt->reference, 'status reference');
    eq($status->service, 'road-incident', 'status service');
    eq($status->state, 'received', 'status state');
    return $receipt->reference;
}

/** Without the test CA: the WSDL download, then (from a local copy of the WSDL) the call. */
function untrustedRefused(): string
{
    global $wsdl, $ca, $work;
    $why = refused(fn () => client($wsdl, SOAP_1_1, null));
    ok(stripos($why, 'certificate verify failed') !== false, "the WSDL download failed, but not on the certificate: $why");
    $copy = "$work/tls-demoville.wsdl";
    $text = file_get_contents($wsdl, false, sslContext($ca));
    ok($text !== false && file_put_contents($copy, $text) !== false, 'WSDL copied');
    $client = client($copy, SOAP_1_1, null);
    $why2 = refused(fn () => $client->ListServices());
    ok(stripos($why2, 'certificate verify failed') !== false, "the call failed, but not on the certificate: $why2");
    // The same copy with the CA goes through: it was the trust, nothing else.
    $services = client($copy, SOAP_1_1, $ca)->ListServices()->service;
    ok(count($services) >= 40, 'ListServices with the CA: ' . count($services));
    return 'certificate verify failed for the WSDL and for a call';
}

foreach (array_keys(PORTS) as $version) {
    check("tls/php/$version/submit-road-incident-and-status", fn () => submitAndStatus($version));
}
check('tls/php/untrusted-ca-refused', fn () => untrustedRefused());
exit($failures ? 1 : 0);
