using Microsoft.AspNetCore.Http;

namespace AuroraNode.Modules.Router.Routing;

/// <summary>An endpoint's result that reports when it has been written (a streamed one generates while it is written).</summary>
internal sealed class Measured(IResult inner, Action<bool> done) : IResult, IStatusCodeHttpResult
{
    public int? StatusCode => (inner as IStatusCodeHttpResult)?.StatusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var ok = false;
        try
        {
            await inner.ExecuteAsync(httpContext);
            ok = !httpContext.RequestAborted.IsCancellationRequested;
        }
        finally
        {
            done(ok);
        }
    }
}
