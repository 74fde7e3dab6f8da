namespace AuroraNode.Modules.Auth.Tokens;

/// <summary>Why an access token was refused; each attack the validator knows about has its own reason.</summary>
internal enum TokenRefusal
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>Longer than the limit: refused before any parsing.</summary>
    Oversized,

    /// <summary>Not three dot-separated parts (empty, a JWE, stray dots).</summary>
    Malformed,

    /// <summary>A part is not base64url.</summary>
    BadBase64,

    /// <summary>The header or the claims are not the JSON object they should be (or repeat a claim).</summary>
    BadJson,

    /// <summary>The header names no algorithm.</summary>
    MissingAlgorithm,

    /// <summary><c>alg: none</c> in any spelling: an unsigned token.</summary>
    AlgNone,

    /// <summary>An HMAC algorithm (HS256…): the classic confusion attack where the public key is used as the secret.</summary>
    SymmetricAlgorithm,

    /// <summary>Any other algorithm than ES256.</summary>
    UnsupportedAlgorithm,

    /// <summary>The header has a <c>crit</c> member; no extension is understood, so RFC 7515 says refuse.</summary>
    CriticalHeader,

    /// <summary>The header has no <c>kid</c>.</summary>
    MissingKeyId,

    /// <summary>The <c>kid</c> is not in the key set (never ours, or dropped after its tokens expired).</summary>
    UnknownKeyId,

    /// <summary>The signature does not verify: the header, the claims or the signature were changed.</summary>
    BadSignature,

    /// <summary>A required claim (iss, aud, sub, sid, exp, jti) is missing or of the wrong type.</summary>
    MissingClaim,

    /// <summary>Issued by someone else.</summary>
    WrongIssuer,

    /// <summary>Meant for someone else.</summary>
    WrongAudience,

    /// <summary>Past <c>exp</c> plus the clock skew.</summary>
    Expired,

    /// <summary>Before <c>nbf</c> (or <c>iat</c>) minus the clock skew.</summary>
    NotYetValid,
}
