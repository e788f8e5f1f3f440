using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Serilog.AspNetCore;
using Serilog.Events;
using Serilog.Extensions.Hosting;
using Serilog;

namespace AnyClaude.Host.Http;

/// <summary>
/// At debug level 1 and above, one line per HTTP request (method, path without the query, status, time) from
/// Serilog.AspNetCore's request logging. The summary line of a <c>/v1/messages</c> request stays
/// <see cref="RequestObserver"/>'s; this line carries the same request id and, for a client that left, the same 499.
/// No header, query or body is logged.
/// </summary>
/// <remarks>
/// The proxy's <c>req_…</c> id is the property <c>ProxyRequestId</c> in every request line: ASP.NET Core's request scope
/// already has a <c>RequestId</c> (Kestrel's connection:request id), and through Serilog a scope property replaces a
/// message's property of the same name.
/// </remarks>
internal static class RequestLogging
{
    /// <summary>The status nginx logs for a client that closed the connection before the answer was complete.</summary>
    public const int ClientClosedRequest = 499;

    public const string Template = "{ProxyRequestId} HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";

    public static void AddServices(IServiceCollection services) =>
        services.TryAddSingleton(provider => new DiagnosticContext(provider.GetService<Serilog.ILogger>()));

    public static void Use(WebApplication app)
    {
        var logger = app.Services.GetService<Serilog.ILogger>();
        app.UseSerilogRequestLogging(options =>
        {
            options.Logger = logger;
            options.MessageTemplate = Template;
            options.IncludeQueryInRequestPath = false;
            options.EnrichDiagnosticContext = (diagnostics, context) => diagnostics.Set("ProxyRequestId", RequestIds.Find(context) ?? "-");
            options.GetMessageTemplateProperties = Properties;
        });
    }

    /// <summary>
    /// Serilog's own properties, except that a client that went away is <c>499</c>, as the summary line says: the
    /// response's status is still the 200 its headers carried before the client left.
    /// </summary>
    private static IEnumerable<LogEventProperty> Properties(HttpContext context, string path, double elapsed, int status) =>
    [
        new("RequestMethod", new ScalarValue(context.Request.Method)),
        new("RequestPath", new ScalarValue(path)),
        new("StatusCode", new ScalarValue(context.RequestAborted.IsCancellationRequested ? ClientClosedRequest : status)),
        new("Elapsed", new ScalarValue(elapsed)),
    ];
}
