using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace AnyClaude.Host.Security;

internal static class AdminGroup
{
    /// <summary>
    /// The group every control or admin endpoint (anything that changes the proxy's state) belongs to:
    /// <c>/admin/…</c>, answered only on loopback (<see cref="LoopbackOnlyAttribute"/>) and, when a key is set,
    /// only with the key, and never from a web page of another origin (<see cref="SameOriginOnlyAttribute"/>). Map admin
    /// endpoints here, before the app starts.
    /// </summary>
    public static RouteGroupBuilder Map(IEndpointRouteBuilder app) => app.MapGroup("/admin").RequireLoopback().RequireSameOrigin();
}
