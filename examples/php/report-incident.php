<?php
/*
 * A page of the town's own website that offers "report an incident on the
 * public road" through Guichet with PHP's SoapClient (Debian: php-soap).
 * Nothing is stored on the town's side: Guichet validates, stores and answers.
 *
 * Try it:  php -S 127.0.0.1:8081 -t examples/php
 *          then open http://127.0.0.1:8081/report-incident.php
 * Guichet's WSDL address comes from GUICHET_WSDL (default: the local demo).
 */

const NS = 'urn:guichet:demoville';
$wsdl = getenv('GUICHET_WSDL') ?: 'http://127.0.0.1:8080/demoville/soap?wsdl';

function h($text) { return htmlspecialchars((string) $text, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8'); }

$values = [
    'firstName' => '', 'lastName' => '', 'email' => '', 'category' => 'pothole',
    'street' => '', 'postalCode' => '', 'town' => 'Démoville', 'description' => '',
    'observedOn' => date('Y-m-d'),
];
$errors = [];      // field path => message, from the SOAP fault's detail
$general = null;   // a message not tied to a field
$receipt = null;

if ($_SERVER['REQUEST_METHOD'] === 'POST') {
    foreach ($values as $name => $default) {
        $values[$name] = trim((string) ($_POST[$name] ?? ''));
    }
    try {
        $client = new SoapClient($wsdl, [
            'soap_version' => SOAP_1_1,
            'exceptions' => true,
            'cache_wsdl' => WSDL_CACHE_MEMORY,
            'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
        ]);
        $request = [
            'requester' => [
                'firstName' => $values['firstName'],
                'lastName' => $values['lastName'],
                'email' => $values['email'],
            ],
            'category' => $values['category'],
            'location' => [
                'street' => $values['street'],
                'postalCode' => $values['postalCode'],
                'town' => $values['town'],
            ],
            'description' => $values['description'],
            'observedOn' => $values['observedOn'],
        ];
        $receipt = $client->SubmitRoadIncidentReport($request)->receipt;
    } catch (SoapFault $fault) {
        // Client faults carry a ValidationFault detail: one error per bad field.
        $detail = $fault->detail->ValidationFault->error ?? [];
        foreach ((is_array($detail) ? $detail : [$detail]) as $error) {
            $field = $error->field ?? '';
            $key = preg_replace('#^(requester|location)/#', '', $field);
            if ($key !== '' && array_key_exists($key, $values)) {
                $errors[$key] = $error->message;
            } else {
                $general = $error->message;
            }
        }
        if (!$errors && $general === null) {
            $general = 'Le service est momentanément indisponible : ' . $fault->getMessage();
        }
    }
}

function field($name, $label, $values, $errors, $type = 'text') {
    $id = 'f-' . $name;
    $described = isset($errors[$name]) ? ' aria-describedby="' . $id . '-error" aria-invalid="true"' : '';
    echo '<p><label for="' . $id . '">' . h($label) . '</label><br>';
    if ($type === 'textarea') {
        echo '<textarea id="' . $id . '" name="' . $name . '" rows="4"' . $described . '>' . h($values[$name]) . '</textarea>';
    } else {
        echo '<input type="' . $type . '" id="' . $id . '" name="' . $name . '" value="' . h($values[$name]) . '"' . $described . '>';
    }
    if (isset($errors[$name])) {
        echo '<br><strong id="' . $id . '-error" class="error">' . h($errors[$name]) . '</strong>';
    }
    echo "</p>\n";
}
?><!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Signaler un incident — Ville de Démoville</title></head>
<body>
<h1>Signaler un incident sur la voie publique</h1>
<?php if ($receipt): ?>
  <p id="receipt">Votre signalement <strong id="reference"><?= h($receipt->reference) ?></strong> est enregistré.
  Réponse au plus tard le <strong id="due-date"><?= h($receipt->dueDate) ?></strong>.</p>
  <p>Code de suivi : <strong id="tracking-code"><?= h($receipt->trackingCode) ?></strong>
  — <a href="<?= h($receipt->trackingUrl) ?>">suivre ma demande</a></p>
<?php else: ?>
  <?php if ($general !== null): ?><p class="error" role="alert"><?= h($general) ?></p><?php endif ?>
  <?php if ($errors): ?><p class="error" role="alert" id="error-count"><?= count($errors) ?> champ(s) à corriger.</p><?php endif ?>
  <form method="post">
    <?php
    field('firstName', 'Prénom', $values, $errors);
    field('lastName', 'Nom', $values, $errors);
    field('email', 'Adresse e-mail', $values, $errors, 'email');
    ?>
    <p><label for="f-category">Nature de l'incident</label><br>
    <select id="f-category" name="category">
      <?php foreach (['pothole' => 'Nid-de-poule', 'lighting' => 'Éclairage public', 'signage' => 'Signalisation',
                      'sidewalk' => 'Trottoir', 'obstacle' => 'Obstacle', 'other' => 'Autre'] as $v => $l): ?>
        <option value="<?= h($v) ?>"<?= $values['category'] === $v ? ' selected' : '' ?>><?= h($l) ?></option>
      <?php endforeach ?>
    </select></p>
    <?php
    field('street', 'Numéro et voie', $values, $errors);
    field('postalCode', 'Code postal', $values, $errors);
    field('town', 'Commune', $values, $errors);
    field('description', 'Description', $values, $errors, 'textarea');
    field('observedOn', 'Date de constatation', $values, $errors, 'date');
    ?>
    <p><button type="submit">Envoyer le signalement</button></p>
  </form>
<?php endif ?>
</body>
</html>
