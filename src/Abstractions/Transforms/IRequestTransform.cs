namespace AnyClaude.Abstractions.Transforms;

/// <summary>A step of the request pipeline: rewrites the request before the backend renders it.</summary>
public interface IRequestTransform
{
    string Name { get; }

    ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken);
}
