use super::*;

#[test]
fn dates_clients_send() {
    let want = 1_278_504_000; // 2010-07-07T12:00:00Z, a Wednesday
    assert_eq!(
        parse_http_date("Wed, 07 Jul 2010 12:00:00 GMT").unwrap(),
        want
    );
    assert_eq!(
        parse_http_date("Tue, 07 Jul 2010 12:00:00 GMT").unwrap(),
        want,
        "wrong weekday"
    );
    assert_eq!(
        parse_http_date("Wed, 07 Jul 2010 12:00:00 -0000").unwrap(),
        want
    );
    assert_eq!(
        parse_http_date("Wed, 07 Jul 2010 12:00:00 +0000").unwrap(),
        want
    );
    assert!(parse_http_date("Wed, 07 Jul 2010 12:00:00 +0200").is_err());
    assert!(parse_http_date("yesterday").is_err());
}

#[test]
fn dates_parse_and_format() {
    assert_eq!(parse_iso8601_basic("20130524T000000Z"), Ok(1_369_353_600));
    assert_eq!(format_iso8601_basic(1_369_353_600), "20130524T000000Z");
    assert_eq!(
        parse_http_date("Fri, 24 May 2013 00:00:00 GMT"),
        Ok(1_369_353_600)
    );
    assert!(parse_iso8601_basic("2013-05-24T00:00:00Z").is_err());
    assert!(parse_iso8601_basic("20130524T000000").is_err());
    assert!(parse_http_date("yesterday").is_err());
}
