//! Named HTTP status codes with Godot's constant names.

/// A named HTTP status code from Godot's `HTTPClient.ResponseCode` list.
///
/// The client never rejects a code because it is missing here: the response code is
/// always available as a plain `u16` from
/// [`HttpClient::response_code`](crate::HttpClient::response_code); this enum names the
/// well-known ones.
///
/// ```
/// use pollhttp::ResponseCode;
/// assert_eq!(ResponseCode::from_u16(404), Some(ResponseCode::NotFound));
/// assert_eq!(ResponseCode::ImATeapot.code(), 418);
/// assert_eq!(ResponseCode::NotFound.godot_name(), "RESPONSE_NOT_FOUND");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
#[non_exhaustive]
pub enum ResponseCode {
    /// 100 Continue (`RESPONSE_CONTINUE`).
    #[doc(alias = "RESPONSE_CONTINUE")]
    Continue = 100,
    /// 101 Switching Protocols (`RESPONSE_SWITCHING_PROTOCOLS`).
    #[doc(alias = "RESPONSE_SWITCHING_PROTOCOLS")]
    SwitchingProtocols = 101,
    /// 102 Processing (`RESPONSE_PROCESSING`).
    #[doc(alias = "RESPONSE_PROCESSING")]
    Processing = 102,
    /// 200 OK (`RESPONSE_OK`).
    #[doc(alias = "RESPONSE_OK")]
    Ok = 200,
    /// 201 Created (`RESPONSE_CREATED`).
    #[doc(alias = "RESPONSE_CREATED")]
    Created = 201,
    /// 202 Accepted (`RESPONSE_ACCEPTED`).
    #[doc(alias = "RESPONSE_ACCEPTED")]
    Accepted = 202,
    /// 203 Non-Authoritative Information (`RESPONSE_NON_AUTHORITATIVE_INFORMATION`).
    #[doc(alias = "RESPONSE_NON_AUTHORITATIVE_INFORMATION")]
    NonAuthoritativeInformation = 203,
    /// 204 No Content (`RESPONSE_NO_CONTENT`).
    #[doc(alias = "RESPONSE_NO_CONTENT")]
    NoContent = 204,
    /// 205 Reset Content (`RESPONSE_RESET_CONTENT`).
    #[doc(alias = "RESPONSE_RESET_CONTENT")]
    ResetContent = 205,
    /// 206 Partial Content (`RESPONSE_PARTIAL_CONTENT`).
    #[doc(alias = "RESPONSE_PARTIAL_CONTENT")]
    PartialContent = 206,
    /// 207 Multi-Status (`RESPONSE_MULTI_STATUS`).
    #[doc(alias = "RESPONSE_MULTI_STATUS")]
    MultiStatus = 207,
    /// 208 Already Reported (`RESPONSE_ALREADY_REPORTED`).
    #[doc(alias = "RESPONSE_ALREADY_REPORTED")]
    AlreadyReported = 208,
    /// 226 IM Used (`RESPONSE_IM_USED`).
    #[doc(alias = "RESPONSE_IM_USED")]
    ImUsed = 226,
    /// 300 Multiple Choices (`RESPONSE_MULTIPLE_CHOICES`).
    #[doc(alias = "RESPONSE_MULTIPLE_CHOICES")]
    MultipleChoices = 300,
    /// 301 Moved Permanently (`RESPONSE_MOVED_PERMANENTLY`).
    #[doc(alias = "RESPONSE_MOVED_PERMANENTLY")]
    MovedPermanently = 301,
    /// 302 Found (`RESPONSE_FOUND`).
    #[doc(alias = "RESPONSE_FOUND")]
    Found = 302,
    /// 303 See Other (`RESPONSE_SEE_OTHER`).
    #[doc(alias = "RESPONSE_SEE_OTHER")]
    SeeOther = 303,
    /// 304 Not Modified (`RESPONSE_NOT_MODIFIED`).
    #[doc(alias = "RESPONSE_NOT_MODIFIED")]
    NotModified = 304,
    /// 305 Use Proxy (`RESPONSE_USE_PROXY`).
    #[doc(alias = "RESPONSE_USE_PROXY")]
    UseProxy = 305,
    /// 306 Switch Proxy (`RESPONSE_SWITCH_PROXY`).
    #[doc(alias = "RESPONSE_SWITCH_PROXY")]
    SwitchProxy = 306,
    /// 307 Temporary Redirect (`RESPONSE_TEMPORARY_REDIRECT`).
    #[doc(alias = "RESPONSE_TEMPORARY_REDIRECT")]
    TemporaryRedirect = 307,
    /// 308 Permanent Redirect (`RESPONSE_PERMANENT_REDIRECT`).
    #[doc(alias = "RESPONSE_PERMANENT_REDIRECT")]
    PermanentRedirect = 308,
    /// 400 Bad Request (`RESPONSE_BAD_REQUEST`).
    #[doc(alias = "RESPONSE_BAD_REQUEST")]
    BadRequest = 400,
    /// 401 Unauthorized (`RESPONSE_UNAUTHORIZED`).
    #[doc(alias = "RESPONSE_UNAUTHORIZED")]
    Unauthorized = 401,
    /// 402 Payment Required (`RESPONSE_PAYMENT_REQUIRED`).
    #[doc(alias = "RESPONSE_PAYMENT_REQUIRED")]
    PaymentRequired = 402,
    /// 403 Forbidden (`RESPONSE_FORBIDDEN`).
    #[doc(alias = "RESPONSE_FORBIDDEN")]
    Forbidden = 403,
    /// 404 Not Found (`RESPONSE_NOT_FOUND`).
    #[doc(alias = "RESPONSE_NOT_FOUND")]
    NotFound = 404,
    /// 405 Method Not Allowed (`RESPONSE_METHOD_NOT_ALLOWED`).
    #[doc(alias = "RESPONSE_METHOD_NOT_ALLOWED")]
    MethodNotAllowed = 405,
    /// 406 Not Acceptable (`RESPONSE_NOT_ACCEPTABLE`).
    #[doc(alias = "RESPONSE_NOT_ACCEPTABLE")]
    NotAcceptable = 406,
    /// 407 Proxy Authentication Required (`RESPONSE_PROXY_AUTHENTICATION_REQUIRED`).
    #[doc(alias = "RESPONSE_PROXY_AUTHENTICATION_REQUIRED")]
    ProxyAuthenticationRequired = 407,
    /// 408 Request Timeout (`RESPONSE_REQUEST_TIMEOUT`).
    #[doc(alias = "RESPONSE_REQUEST_TIMEOUT")]
    RequestTimeout = 408,
    /// 409 Conflict (`RESPONSE_CONFLICT`).
    #[doc(alias = "RESPONSE_CONFLICT")]
    Conflict = 409,
    /// 410 Gone (`RESPONSE_GONE`).
    #[doc(alias = "RESPONSE_GONE")]
    Gone = 410,
    /// 411 Length Required (`RESPONSE_LENGTH_REQUIRED`).
    #[doc(alias = "RESPONSE_LENGTH_REQUIRED")]
    LengthRequired = 411,
    /// 412 Precondition Failed (`RESPONSE_PRECONDITION_FAILED`).
    #[doc(alias = "RESPONSE_PRECONDITION_FAILED")]
    PreconditionFailed = 412,
    /// 413 Content Too Large (`RESPONSE_REQUEST_ENTITY_TOO_LARGE`).
    #[doc(alias = "RESPONSE_REQUEST_ENTITY_TOO_LARGE")]
    RequestEntityTooLarge = 413,
    /// 414 URI Too Long (`RESPONSE_REQUEST_URI_TOO_LONG`).
    #[doc(alias = "RESPONSE_REQUEST_URI_TOO_LONG")]
    RequestUriTooLong = 414,
    /// 415 Unsupported Media Type (`RESPONSE_UNSUPPORTED_MEDIA_TYPE`).
    #[doc(alias = "RESPONSE_UNSUPPORTED_MEDIA_TYPE")]
    UnsupportedMediaType = 415,
    /// 416 Range Not Satisfiable (`RESPONSE_REQUESTED_RANGE_NOT_SATISFIABLE`).
    #[doc(alias = "RESPONSE_REQUESTED_RANGE_NOT_SATISFIABLE")]
    RequestedRangeNotSatisfiable = 416,
    /// 417 Expectation Failed (`RESPONSE_EXPECTATION_FAILED`).
    #[doc(alias = "RESPONSE_EXPECTATION_FAILED")]
    ExpectationFailed = 417,
    /// 418 I'm a teapot (`RESPONSE_IM_A_TEAPOT`).
    #[doc(alias = "RESPONSE_IM_A_TEAPOT")]
    ImATeapot = 418,
    /// 421 Misdirected Request (`RESPONSE_MISDIRECTED_REQUEST`).
    #[doc(alias = "RESPONSE_MISDIRECTED_REQUEST")]
    MisdirectedRequest = 421,
    /// 422 Unprocessable Content (`RESPONSE_UNPROCESSABLE_ENTITY`).
    #[doc(alias = "RESPONSE_UNPROCESSABLE_ENTITY")]
    UnprocessableEntity = 422,
    /// 423 Locked (`RESPONSE_LOCKED`).
    #[doc(alias = "RESPONSE_LOCKED")]
    Locked = 423,
    /// 424 Failed Dependency (`RESPONSE_FAILED_DEPENDENCY`).
    #[doc(alias = "RESPONSE_FAILED_DEPENDENCY")]
    FailedDependency = 424,
    /// 426 Upgrade Required (`RESPONSE_UPGRADE_REQUIRED`).
    #[doc(alias = "RESPONSE_UPGRADE_REQUIRED")]
    UpgradeRequired = 426,
    /// 428 Precondition Required (`RESPONSE_PRECONDITION_REQUIRED`).
    #[doc(alias = "RESPONSE_PRECONDITION_REQUIRED")]
    PreconditionRequired = 428,
    /// 429 Too Many Requests (`RESPONSE_TOO_MANY_REQUESTS`).
    #[doc(alias = "RESPONSE_TOO_MANY_REQUESTS")]
    TooManyRequests = 429,
    /// 431 Request Header Fields Too Large (`RESPONSE_REQUEST_HEADER_FIELDS_TOO_LARGE`).
    #[doc(alias = "RESPONSE_REQUEST_HEADER_FIELDS_TOO_LARGE")]
    RequestHeaderFieldsTooLarge = 431,
    /// 451 Unavailable For Legal Reasons (`RESPONSE_UNAVAILABLE_FOR_LEGAL_REASONS`).
    #[doc(alias = "RESPONSE_UNAVAILABLE_FOR_LEGAL_REASONS")]
    UnavailableForLegalReasons = 451,
    /// 500 Internal Server Error (`RESPONSE_INTERNAL_SERVER_ERROR`).
    #[doc(alias = "RESPONSE_INTERNAL_SERVER_ERROR")]
    InternalServerError = 500,
    /// 501 Not Implemented (`RESPONSE_NOT_IMPLEMENTED`).
    #[doc(alias = "RESPONSE_NOT_IMPLEMENTED")]
    NotImplemented = 501,
    /// 502 Bad Gateway (`RESPONSE_BAD_GATEWAY`).
    #[doc(alias = "RESPONSE_BAD_GATEWAY")]
    BadGateway = 502,
    /// 503 Service Unavailable (`RESPONSE_SERVICE_UNAVAILABLE`).
    #[doc(alias = "RESPONSE_SERVICE_UNAVAILABLE")]
    ServiceUnavailable = 503,
    /// 504 Gateway Timeout (`RESPONSE_GATEWAY_TIMEOUT`).
    #[doc(alias = "RESPONSE_GATEWAY_TIMEOUT")]
    GatewayTimeout = 504,
    /// 505 HTTP Version Not Supported (`RESPONSE_HTTP_VERSION_NOT_SUPPORTED`).
    #[doc(alias = "RESPONSE_HTTP_VERSION_NOT_SUPPORTED")]
    HttpVersionNotSupported = 505,
    /// 506 Variant Also Negotiates (`RESPONSE_VARIANT_ALSO_NEGOTIATES`).
    #[doc(alias = "RESPONSE_VARIANT_ALSO_NEGOTIATES")]
    VariantAlsoNegotiates = 506,
    /// 507 Insufficient Storage (`RESPONSE_INSUFFICIENT_STORAGE`).
    #[doc(alias = "RESPONSE_INSUFFICIENT_STORAGE")]
    InsufficientStorage = 507,
    /// 508 Loop Detected (`RESPONSE_LOOP_DETECTED`).
    #[doc(alias = "RESPONSE_LOOP_DETECTED")]
    LoopDetected = 508,
    /// 510 Not Extended (`RESPONSE_NOT_EXTENDED`).
    #[doc(alias = "RESPONSE_NOT_EXTENDED")]
    NotExtended = 510,
    /// 511 Network Authentication Required (`RESPONSE_NETWORK_AUTH_REQUIRED`).
    #[doc(alias = "RESPONSE_NETWORK_AUTH_REQUIRED")]
    NetworkAuthRequired = 511,
}

impl ResponseCode {
    /// Every named code, in ascending order.
    pub const ALL: &'static [ResponseCode] = &[
        ResponseCode::Continue,
        ResponseCode::SwitchingProtocols,
        ResponseCode::Processing,
        ResponseCode::Ok,
        ResponseCode::Created,
        ResponseCode::Accepted,
        ResponseCode::NonAuthoritativeInformation,
        ResponseCode::NoContent,
        ResponseCode::ResetContent,
        ResponseCode::PartialContent,
        ResponseCode::MultiStatus,
        ResponseCode::AlreadyReported,
        ResponseCode::ImUsed,
        ResponseCode::MultipleChoices,
        ResponseCode::MovedPermanently,
        ResponseCode::Found,
        ResponseCode::SeeOther,
        ResponseCode::NotModified,
        ResponseCode::UseProxy,
        ResponseCode::SwitchProxy,
        ResponseCode::TemporaryRedirect,
        ResponseCode::PermanentRedirect,
        ResponseCode::BadRequest,
        ResponseCode::Unauthorized,
        ResponseCode::PaymentRequired,
        ResponseCode::Forbidden,
        ResponseCode::NotFound,
        ResponseCode::MethodNotAllowed,
        ResponseCode::NotAcceptable,
        ResponseCode::ProxyAuthenticationRequired,
        ResponseCode::RequestTimeout,
        ResponseCode::Conflict,
        ResponseCode::Gone,
        ResponseCode::LengthRequired,
        ResponseCode::PreconditionFailed,
        ResponseCode::RequestEntityTooLarge,
        ResponseCode::RequestUriTooLong,
        ResponseCode::UnsupportedMediaType,
        ResponseCode::RequestedRangeNotSatisfiable,
        ResponseCode::ExpectationFailed,
        ResponseCode::ImATeapot,
        ResponseCode::MisdirectedRequest,
        ResponseCode::UnprocessableEntity,
        ResponseCode::Locked,
        ResponseCode::FailedDependency,
        ResponseCode::UpgradeRequired,
        ResponseCode::PreconditionRequired,
        ResponseCode::TooManyRequests,
        ResponseCode::RequestHeaderFieldsTooLarge,
        ResponseCode::UnavailableForLegalReasons,
        ResponseCode::InternalServerError,
        ResponseCode::NotImplemented,
        ResponseCode::BadGateway,
        ResponseCode::ServiceUnavailable,
        ResponseCode::GatewayTimeout,
        ResponseCode::HttpVersionNotSupported,
        ResponseCode::VariantAlsoNegotiates,
        ResponseCode::InsufficientStorage,
        ResponseCode::LoopDetected,
        ResponseCode::NotExtended,
        ResponseCode::NetworkAuthRequired,
    ];

    /// The numeric status code.
    pub fn code(self) -> u16 {
        self as u16
    }

    /// The named code for `code`, if Godot names it.
    pub fn from_u16(code: u16) -> Option<ResponseCode> {
        ResponseCode::ALL
            .binary_search_by_key(&code, |c| c.code())
            .ok()
            .map(|i| ResponseCode::ALL[i])
    }

    /// Godot's constant name, such as `"RESPONSE_OK"`.
    pub fn godot_name(self) -> &'static str {
        match self {
            ResponseCode::Continue => "RESPONSE_CONTINUE",
            ResponseCode::SwitchingProtocols => "RESPONSE_SWITCHING_PROTOCOLS",
            ResponseCode::Processing => "RESPONSE_PROCESSING",
            ResponseCode::Ok => "RESPONSE_OK",
            ResponseCode::Created => "RESPONSE_CREATED",
            ResponseCode::Accepted => "RESPONSE_ACCEPTED",
            ResponseCode::NonAuthoritativeInformation => "RESPONSE_NON_AUTHORITATIVE_INFORMATION",
            ResponseCode::NoContent => "RESPONSE_NO_CONTENT",
            ResponseCode::ResetContent => "RESPONSE_RESET_CONTENT",
            ResponseCode::PartialContent => "RESPONSE_PARTIAL_CONTENT",
            ResponseCode::MultiStatus => "RESPONSE_MULTI_STATUS",
            ResponseCode::AlreadyReported => "RESPONSE_ALREADY_REPORTED",
            ResponseCode::ImUsed => "RESPONSE_IM_USED",
            ResponseCode::MultipleChoices => "RESPONSE_MULTIPLE_CHOICES",
            ResponseCode::MovedPermanently => "RESPONSE_MOVED_PERMANENTLY",
            ResponseCode::Found => "RESPONSE_FOUND",
            ResponseCode::SeeOther => "RESPONSE_SEE_OTHER",
            ResponseCode::NotModified => "RESPONSE_NOT_MODIFIED",
            ResponseCode::UseProxy => "RESPONSE_USE_PROXY",
            ResponseCode::SwitchProxy => "RESPONSE_SWITCH_PROXY",
            ResponseCode::TemporaryRedirect => "RESPONSE_TEMPORARY_REDIRECT",
            ResponseCode::PermanentRedirect => "RESPONSE_PERMANENT_REDIRECT",
            ResponseCode::BadRequest => "RESPONSE_BAD_REQUEST",
            ResponseCode::Unauthorized => "RESPONSE_UNAUTHORIZED",
            ResponseCode::PaymentRequired => "RESPONSE_PAYMENT_REQUIRED",
            ResponseCode::Forbidden => "RESPONSE_FORBIDDEN",
            ResponseCode::NotFound => "RESPONSE_NOT_FOUND",
            ResponseCode::MethodNotAllowed => "RESPONSE_METHOD_NOT_ALLOWED",
            ResponseCode::NotAcceptable => "RESPONSE_NOT_ACCEPTABLE",
            ResponseCode::ProxyAuthenticationRequired => "RESPONSE_PROXY_AUTHENTICATION_REQUIRED",
            ResponseCode::RequestTimeout => "RESPONSE_REQUEST_TIMEOUT",
            ResponseCode::Conflict => "RESPONSE_CONFLICT",
            ResponseCode::Gone => "RESPONSE_GONE",
            ResponseCode::LengthRequired => "RESPONSE_LENGTH_REQUIRED",
            ResponseCode::PreconditionFailed => "RESPONSE_PRECONDITION_FAILED",
            ResponseCode::RequestEntityTooLarge => "RESPONSE_REQUEST_ENTITY_TOO_LARGE",
            ResponseCode::RequestUriTooLong => "RESPONSE_REQUEST_URI_TOO_LONG",
            ResponseCode::UnsupportedMediaType => "RESPONSE_UNSUPPORTED_MEDIA_TYPE",
            ResponseCode::RequestedRangeNotSatisfiable => {
                "RESPONSE_REQUESTED_RANGE_NOT_SATISFIABLE"
            }
            ResponseCode::ExpectationFailed => "RESPONSE_EXPECTATION_FAILED",
            ResponseCode::ImATeapot => "RESPONSE_IM_A_TEAPOT",
            ResponseCode::MisdirectedRequest => "RESPONSE_MISDIRECTED_REQUEST",
            ResponseCode::UnprocessableEntity => "RESPONSE_UNPROCESSABLE_ENTITY",
            ResponseCode::Locked => "RESPONSE_LOCKED",
            ResponseCode::FailedDependency => "RESPONSE_FAILED_DEPENDENCY",
            ResponseCode::UpgradeRequired => "RESPONSE_UPGRADE_REQUIRED",
            ResponseCode::PreconditionRequired => "RESPONSE_PRECONDITION_REQUIRED",
            ResponseCode::TooManyRequests => "RESPONSE_TOO_MANY_REQUESTS",
            ResponseCode::RequestHeaderFieldsTooLarge => "RESPONSE_REQUEST_HEADER_FIELDS_TOO_LARGE",
            ResponseCode::UnavailableForLegalReasons => "RESPONSE_UNAVAILABLE_FOR_LEGAL_REASONS",
            ResponseCode::InternalServerError => "RESPONSE_INTERNAL_SERVER_ERROR",
            ResponseCode::NotImplemented => "RESPONSE_NOT_IMPLEMENTED",
            ResponseCode::BadGateway => "RESPONSE_BAD_GATEWAY",
            ResponseCode::ServiceUnavailable => "RESPONSE_SERVICE_UNAVAILABLE",
            ResponseCode::GatewayTimeout => "RESPONSE_GATEWAY_TIMEOUT",
            ResponseCode::HttpVersionNotSupported => "RESPONSE_HTTP_VERSION_NOT_SUPPORTED",
            ResponseCode::VariantAlsoNegotiates => "RESPONSE_VARIANT_ALSO_NEGOTIATES",
            ResponseCode::InsufficientStorage => "RESPONSE_INSUFFICIENT_STORAGE",
            ResponseCode::LoopDetected => "RESPONSE_LOOP_DETECTED",
            ResponseCode::NotExtended => "RESPONSE_NOT_EXTENDED",
            ResponseCode::NetworkAuthRequired => "RESPONSE_NETWORK_AUTH_REQUIRED",
        }
    }

    /// The standard reason phrase, such as `"Not Found"`.
    pub fn reason_phrase(self) -> &'static str {
        match self {
            ResponseCode::Continue => "Continue",
            ResponseCode::SwitchingProtocols => "Switching Protocols",
            ResponseCode::Processing => "Processing",
            ResponseCode::Ok => "OK",
            ResponseCode::Created => "Created",
            ResponseCode::Accepted => "Accepted",
            ResponseCode::NonAuthoritativeInformation => "Non-Authoritative Information",
            ResponseCode::NoContent => "No Content",
            ResponseCode::ResetContent => "Reset Content",
            ResponseCode::PartialContent => "Partial Content",
            ResponseCode::MultiStatus => "Multi-Status",
            ResponseCode::AlreadyReported => "Already Reported",
            ResponseCode::ImUsed => "IM Used",
            ResponseCode::MultipleChoices => "Multiple Choices",
            ResponseCode::MovedPermanently => "Moved Permanently",
            ResponseCode::Found => "Found",
            ResponseCode::SeeOther => "See Other",
            ResponseCode::NotModified => "Not Modified",
            ResponseCode::UseProxy => "Use Proxy",
            ResponseCode::SwitchProxy => "Switch Proxy",
            ResponseCode::TemporaryRedirect => "Temporary Redirect",
            ResponseCode::PermanentRedirect => "Permanent Redirect",
            ResponseCode::BadRequest => "Bad Request",
            ResponseCode::Unauthorized => "Unauthorized",
            ResponseCode::PaymentRequired => "Payment Required",
            ResponseCode::Forbidden => "Forbidden",
            ResponseCode::NotFound => "Not Found",
            ResponseCode::MethodNotAllowed => "Method Not Allowed",
            ResponseCode::NotAcceptable => "Not Acceptable",
            ResponseCode::ProxyAuthenticationRequired => "Proxy Authentication Required",
            ResponseCode::RequestTimeout => "Request Timeout",
            ResponseCode::Conflict => "Conflict",
            ResponseCode::Gone => "Gone",
            ResponseCode::LengthRequired => "Length Required",
            ResponseCode::PreconditionFailed => "Precondition Failed",
            ResponseCode::RequestEntityTooLarge => "Content Too Large",
            ResponseCode::RequestUriTooLong => "URI Too Long",
            ResponseCode::UnsupportedMediaType => "Unsupported Media Type",
            ResponseCode::RequestedRangeNotSatisfiable => "Range Not Satisfiable",
            ResponseCode::ExpectationFailed => "Expectation Failed",
            ResponseCode::ImATeapot => "I'm a teapot",
            ResponseCode::MisdirectedRequest => "Misdirected Request",
            ResponseCode::UnprocessableEntity => "Unprocessable Content",
            ResponseCode::Locked => "Locked",
            ResponseCode::FailedDependency => "Failed Dependency",
            ResponseCode::UpgradeRequired => "Upgrade Required",
            ResponseCode::PreconditionRequired => "Precondition Required",
            ResponseCode::TooManyRequests => "Too Many Requests",
            ResponseCode::RequestHeaderFieldsTooLarge => "Request Header Fields Too Large",
            ResponseCode::UnavailableForLegalReasons => "Unavailable For Legal Reasons",
            ResponseCode::InternalServerError => "Internal Server Error",
            ResponseCode::NotImplemented => "Not Implemented",
            ResponseCode::BadGateway => "Bad Gateway",
            ResponseCode::ServiceUnavailable => "Service Unavailable",
            ResponseCode::GatewayTimeout => "Gateway Timeout",
            ResponseCode::HttpVersionNotSupported => "HTTP Version Not Supported",
            ResponseCode::VariantAlsoNegotiates => "Variant Also Negotiates",
            ResponseCode::InsufficientStorage => "Insufficient Storage",
            ResponseCode::LoopDetected => "Loop Detected",
            ResponseCode::NotExtended => "Not Extended",
            ResponseCode::NetworkAuthRequired => "Network Authentication Required",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_round_trips() {
        for w in ResponseCode::ALL.windows(2) {
            assert!(w[0].code() < w[1].code());
        }
        for c in ResponseCode::ALL {
            assert_eq!(ResponseCode::from_u16(c.code()), Some(*c));
            assert!(c.godot_name().starts_with("RESPONSE_"));
        }
        assert_eq!(ResponseCode::from_u16(299), None);
        assert_eq!(ResponseCode::ALL.len(), 61);
    }
}
