using Microsoft.AspNetCore.Http.Metadata;

namespace AuroraNode.Modules.Auth.Http;

/// <summary>The auth endpoints read small bodies only; a larger one is refused with 413 before it is read.</summary>
internal sealed class AuthBodyLimit : IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize => AuthLimits.MaxBodyBytes;
}
