using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Abstractions.Errors;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Http;
using AnyClaude.Host.Proxy.Routing;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Proxy.Endpoints;

/// <summary>
/// <c>GET /v1/models</c>, in Anthropic's list shape: the default backend's models as they are named; with more than
/// one backend also every backend's name (selectable with <c>/model NAME</c>), the same as <c>claude-via-NAME</c> for
/// Claude Code's <c>/model</c> picker (which lists only ids starting with <c>claude</c>), and the other backends'
/// models as <c>BACKEND/MODEL</c>. A backend that cannot list its models is left out of the list.
/// </summary>
internal sealed class ModelsEndpoint(BackendRegistry backends, LiveRouting routing)
{
    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        var table = routing.Current;
        var models = new List<ModelInfo>(await ListAsync(table.Mode, cancellationToken).ConfigureAwait(false));
        if (table.BackendNames.Count > 1)
        {
            var others = table.BackendNames.Where(n => !string.Equals(n, table.Mode, StringComparison.OrdinalIgnoreCase)).ToList();
            var lists = await Task.WhenAll(others.Select(n => ListAsync(n, cancellationToken))).ConfigureAwait(false);
            models.AddRange(table.BackendNames.Select(n => new ModelInfo(n, $"{n} (anyclaude backend)")));
            models.AddRange(table.BackendNames.Select(n => new ModelInfo(RoutingTable.PickerId(n), $"{n} (anyclaude backend)")));
            for (int i = 0; i < others.Count; i++)
            {
                models.AddRange(lists[i].Select(m => new ModelInfo($"{others[i]}/{m.Id}", $"{m.DisplayName} on {others[i]}", m.CreatedAt)));
            }
        }

        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, json => WriteList(json, models)).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<ModelInfo>> ListAsync(string backend, CancellationToken cancellationToken)
    {
        if (routing.Current.BackendNames.Count == 1)
        {
            // One backend: its failure is the answer, as before routing.
            return await backends.Get(backend).ListModelsAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await backends.Get(backend).ListModelsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AnthropicException)
        {
            return [];
        }
    }

    private static void WriteList(Utf8JsonWriter json, IReadOnlyList<ModelInfo> models)
    {
        json.WriteStartObject();
        json.WriteStartArray("data");
        foreach (var model in models)
        {
            json.WriteStartObject();
            json.WriteString("type", "model");
            json.WriteString("id", model.Id);
            json.WriteString("display_name", model.DisplayName);
            json.WriteString("created_at", (model.CreatedAt ?? DateTimeOffset.UnixEpoch).ToString("yyyy-MM-ddTHH:mm:ssZ"));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteBoolean("has_more", false);
        WriteIdOrNull(json, "first_id", models.Count > 0 ? models[0].Id : null);
        WriteIdOrNull(json, "last_id", models.Count > 0 ? models[^1].Id : null);
        json.WriteEndObject();
    }

    private static void WriteIdOrNull(Utf8JsonWriter json, string name, string? id)
    {
        if (id is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, id);
        }
    }
}
