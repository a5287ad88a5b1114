//! Open311 GeoReport v2 (`/T/open311/v2/`): an Open311 client lists the
//! town's incident services, reads a service's definition, files a report
//! with the spec's own fields (the shape of its `POST requests` example),
//! and follows it to its end, in JSON and XML.

mod common;

use common::Server;
use common::agent::{all, login, parse};

const KEY: &str = "demoville-open311-demo-key";

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn post(server: &Server, path: &str, fields: &[(&str, &str)]) -> common::HttpResponse {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    server.post(
        path,
        "application/x-www-form-urlencoded",
        s.finish().as_bytes(),
    )
}

/// The spec's example report, in Démoville.
fn report<'a>(key: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("api_key", key),
        ("service_code", "road-incident"),
        ("lat", "48.8686"),
        ("long", "2.3314"),
        ("address_string", "12 rue de la République, 75002 Démoville"),
        ("email", "zoe@example.fr"),
        ("device_id", "tt222111"),
        ("account_id", "123456"),
        ("first_name", "Zoé"),
        ("last_name", "Lefèvre"),
        ("phone", "0612345678"),
        (
            "description",
            "Un grand trou se creuse au milieu de la chaussée",
        ),
        ("media_url", "http://example.org/photo.jpg"),
        ("attribute[category]", "pothole"),
        ("attribute[observedOn]", "2026-11-21"),
    ];
    fields.extend_from_slice(extra);
    fields
}

#[test]
fn a_client_lists_the_incident_services_and_reads_a_definition() {
    let server = Server::start();
    let r = server.get("/demoville/open311/v2/services.json");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let list = json(&r.body);
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service_code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"road-incident"), "{codes:?}");
    assert!(codes.contains(&"graffiti-removal"), "{codes:?}");
    assert!(!codes.contains(&"birth-certificate"), "{codes:?}");
    let road = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "road-incident")
        .unwrap();
    assert_eq!(road["metadata"], true);
    assert_eq!(road["type"], "realtime");
    assert_eq!(
        road["service_name"],
        "Signalement d'un incident sur la voie publique"
    );

    let r = server.get("/demoville/open311/v2/services/road-incident.json");
    let definition = json(&r.body);
    assert_eq!(definition["service_code"], "road-incident");
    let attributes = definition["attributes"].as_array().unwrap();
    let category = attributes.iter().find(|a| a["code"] == "category").unwrap();
    assert_eq!(category["datatype"], "singlevaluelist");
    assert_eq!(category["required"], true);
    assert_eq!(category["values"][0]["key"], "pothole");
    let observed = attributes
        .iter()
        .find(|a| a["code"] == "observedOn")
        .unwrap();
    assert_eq!(observed["datatype"], "datetime");
    assert!(
        attributes
            .iter()
            .all(|a| a["code"] != "location" && a["code"] != "description")
    );

    // XML, as the spec writes it.
    let r = server.get("/demoville/open311/v2/services.xml");
    assert!(r.header("content-type").unwrap().starts_with("text/xml"));
    let xml = parse(&r.body);
    assert_eq!(xml.name, "services");
    assert!(
        all(&xml, "service_code")
            .iter()
            .any(|c| c.text == "road-incident")
    );
    let xml = parse(
        &server
            .get("/demoville/open311/v2/services/road-incident.xml")
            .body,
    );
    assert_eq!(xml.name, "service_definition");
    assert!(!all(&xml, "attribute").is_empty());
    // Unknown service or format.
    assert_eq!(
        server
            .get("/demoville/open311/v2/services/birth-certificate.json")
            .status,
        404
    );
    assert_eq!(server.get("/demoville/open311/v2/services").status, 404);
}

#[test]
fn a_client_files_a_report_and_follows_it_to_its_end() {
    let server = Server::start();
    // Without a key, or with a wrong one: refused, nothing stored.
    let r = post(
        &server,
        "/demoville/open311/v2/requests.json",
        &report("", &[]),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(json(&r.body)[0]["code"], 403);
    let r = post(
        &server,
        "/demoville/open311/v2/requests.json",
        &report("not-the-key-of-the-town", &[]),
    );
    assert_eq!(r.status, 403);
    // Every bad field at once, in the spec's names.
    let r = post(
        &server,
        "/demoville/open311/v2/requests.json",
        &[
            ("api_key", KEY),
            ("service_code", "road-incident"),
            ("lat", "48.8686"),
            ("long", "2.3314"),
            ("address_string", "12 rue de la République, 75002 Démoville"),
            ("description", "court"),
        ],
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let text = r.body.clone();
    for name in [
        "first_name",
        "description",
        "attribute[category]",
        "attribute[observedOn]",
    ] {
        assert!(text.contains(name), "{name} in {text}");
    }
    // The spec's example, in Démoville: filed.
    let r = post(
        &server,
        "/demoville/open311/v2/requests.json",
        &report(KEY, &[]),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let answer = json(&r.body);
    let id = answer[0]["service_request_id"].as_str().unwrap().to_owned();
    assert!(answer[0]["service_notice"].as_str().unwrap().contains(&id));
    assert!(answer[0]["account_id"].is_null());

    let r = server.get(&format!("/demoville/open311/v2/requests/{id}.json"));
    assert_eq!(r.status, 200, "{}", r.body);
    let request = &json(&r.body)[0];
    assert_eq!(request["status"], "open");
    assert_eq!(request["service_code"], "road-incident");
    assert_eq!(request["status_notes"], "Signalement reçu");
    assert_eq!(request["agency_responsible"], "Voirie");
    assert_eq!(request["lat"], 48.8686);
    assert_eq!(request["long"], 2.3314);
    assert_eq!(request["zipcode"], "75002");
    assert_eq!(
        request["address"],
        "12 rue de la République, 75002 Démoville"
    );
    assert!(
        !r.body.contains("Lefèvre"),
        "never the requester: {}",
        r.body
    );
    assert!(!r.body.contains("zoe@example.fr"));

    // The agents see where it came from, and move it to its end.
    let paul = login(&server, "paul");
    let page = paul.get(&format!("/demoville/backoffice/requests/{id}"));
    assert!(page.body.contains("Open311"), "{}", page.body);
    for action in ["qualify", "schedule", "fixed"] {
        assert_eq!(paul.act(&id, action).status, 303, "{action}");
    }
    let request = &json(
        &server
            .get(&format!("/demoville/open311/v2/requests/{id}.json"))
            .body,
    )[0];
    assert_eq!(request["status"], "closed");
    assert_eq!(request["status_notes"], "Incident réparé");

    // The spec's filters.
    let second = json(
        &post(
            &server,
            "/demoville/open311/v2/requests.json",
            &report(KEY, &[]),
        )
        .body,
    )[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ids = |query: &str| -> Vec<String> {
        json(
            &server
                .get(&format!("/demoville/open311/v2/requests.json{query}"))
                .body,
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap().to_owned())
        .collect()
    };
    assert_eq!(ids(""), [second.as_str(), id.as_str()], "newest first");
    assert_eq!(ids("?status=closed"), [id.as_str()]);
    assert_eq!(ids("?status=open"), [second.as_str()]);
    assert_eq!(ids(&format!("?service_request_id={id},{second}")).len(), 2);
    assert!(ids("?service_code=graffiti-removal").is_empty());
    assert!(ids("?start_date=2030-01-01T00:00:00Z").is_empty());
    assert_eq!(ids("?end_date=2030-01-01T00:00:00Z").len(), 2);
    assert_eq!(
        server
            .get("/demoville/open311/v2/requests.json?start_date=hier")
            .status,
        400
    );
    let xml = parse(
        &server
            .get(&format!("/demoville/open311/v2/requests/{id}.xml"))
            .body,
    );
    assert_eq!(xml.name, "service_requests");
    assert_eq!(all(&xml, "status")[0].text, "closed");
    assert_eq!(
        server
            .get("/demoville/open311/v2/requests/2026-999999.json")
            .status,
        404
    );
}

/// The keys of the spec's own example answers (GeoReport v2: GET
/// services, GET services/{code}, POST requests, GET requests): every one
/// is there, and no other.
#[test]
fn answers_have_the_keys_of_the_specs_examples() {
    let server = Server::start();
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let sorted = |list: &[&str]| {
        let mut k: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        k.sort();
        k
    };
    let services = json(&server.get("/demoville/open311/v2/services.json").body);
    assert_eq!(
        keys(&services[0]),
        sorted(&[
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group"
        ])
    );
    let definition = json(
        &server
            .get("/demoville/open311/v2/services/road-incident.json")
            .body,
    );
    assert_eq!(keys(&definition), sorted(&["service_code", "attributes"]));
    assert_eq!(
        keys(&definition["attributes"][0]),
        sorted(&[
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
            "values"
        ])
    );
    assert_eq!(
        keys(&definition["attributes"][0]["values"][0]),
        sorted(&["key", "name"])
    );
    let filed = json(
        &post(
            &server,
            "/demoville/open311/v2/requests.json",
            &report(KEY, &[]),
        )
        .body,
    );
    assert_eq!(
        keys(&filed[0]),
        sorted(&["service_request_id", "service_notice", "account_id"])
    );
    let listed = json(&server.get("/demoville/open311/v2/requests.json").body);
    assert_eq!(
        keys(&listed[0]),
        sorted(&[
            "service_request_id",
            "status",
            "status_notes",
            "service_name",
            "service_code",
            "description",
            "agency_responsible",
            "service_notice",
            "requested_datetime",
            "updated_datetime",
            "expected_datetime",
            "address",
            "address_id",
            "zipcode",
            "lat",
            "long",
            "media_url",
        ])
    );
    let errors = json(
        &post(
            &server,
            "/demoville/open311/v2/requests.json",
            &report("", &[]),
        )
        .body,
    );
    assert_eq!(keys(&errors[0]), sorted(&["code", "description"]));
}
