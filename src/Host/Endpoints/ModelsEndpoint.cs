using System.Text.Json;
using AnyClaude.Abstractions.Backends;
using AnyClaude.Host.Backends;
using AnyClaude.Host.Http;
using Microsoft.AspNetCore.Http;

namespace AnyClaude.Host.Endpoints;

/// <summary><c>GET /v1/models</c>: the models the selected backend serves, in Anthropic's list shape.</summary>
internal sealed class ModelsEndpoint(BackendRegistry backends)
{
    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        IReadOnlyList<ModelInfo> models = await backends.Selected.ListModelsAsync(cancellationToken).ConfigureAwait(false);

        await JsonResponses.WriteAsync(context, StatusCodes.Status200OK, json => WriteList(json, models)).ConfigureAwait(false);
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
