using System.Reflection;
using AnyClaude.Host.Proxy.Endpoints;
using AnyClaude.Host.Tests.Plugins;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Shouldly;

namespace AnyClaude.Host.Tests.Architecture;

/// <summary>
/// src/Host's folders are layers: a folder's namespace is its path, and no folder uses a type (or an extension method)
/// of a folder that uses one of its own, directly or round a longer loop. Checked on the compiler's own binding of every
/// name, so a using directive, a qualified name and a parent namespace's implicit visibility all count.
/// </summary>
public sealed class FolderLayerTests
{
    private static readonly Lazy<SourceGraph> Graph = new(SourceGraph.Build);

    [Fact]
    public void Every_file_declares_the_namespace_of_its_folder()
    {
        Graph.Value.Misplaced.ShouldBeEmpty();
    }

    [Fact]
    public void No_folder_depends_on_a_folder_that_depends_back_on_it()
    {
        var cycles = Graph.Value.Cycles();
        cycles.ShouldBeEmpty(string.Join("\n", cycles.Select(c => string.Join(" <-> ", c) + ": " + Graph.Value.Explain(c))));
    }

    [Fact]
    public void The_checker_sees_a_cycle_where_there_is_one()
    {
        // The same analysis over two files that use each other across folders must report them.
        var graph = SourceGraph.Build(
            ("A/One.cs", "namespace AnyClaude.Host.A; internal static class One { public static int X => AnyClaude.Host.B.Two.Y; }"),
            ("B/Two.cs", "using AnyClaude.Host.A; namespace AnyClaude.Host.B; internal static class Two { public static int Y => 1; public static int Z => One.X; }"));
        graph.Cycles().ShouldHaveSingleItem().ShouldBe(["A", "B"], ignoreOrder: true);
    }

    [Fact]
    public void The_endpoints_take_at_most_five_constructor_parameters()
    {
        var endpoints = typeof(MessagesEndpoint).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(MessagesEndpoint).Namespace && t.Name.EndsWith("Endpoint", StringComparison.Ordinal));
        endpoints.ShouldNotBeEmpty();
        foreach (var endpoint in endpoints)
        {
            int most = endpoint.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).Select(c => c.GetParameters().Length).DefaultIfEmpty(0).Max();
            most.ShouldBeLessThanOrEqualTo(5, endpoint.Name);
        }
    }

    private sealed class SourceGraph
    {
        private const string Root = "AnyClaude.Host";
        private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _edges = new(StringComparer.Ordinal);

        public List<string> Misplaced { get; } = [];

        public static SourceGraph Build()
        {
            string folder = Path.Combine(RepositoryPaths.Root, "src", "Host");
            var files = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .Select(f => (Path.GetRelativePath(folder, f), File.ReadAllText(f)));
            return Build([.. files]);
        }

        public static SourceGraph Build(params (string Path, string Text)[] files)
        {
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(f.Text, new CSharpParseOptions(LanguageVersion.Preview), f.Path)).ToList();
            var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
                .Where(p => !Path.GetFileName(p).Equals("anyclaude.dll", StringComparison.OrdinalIgnoreCase))
                .DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
                .Select(p => MetadataReference.CreateFromFile(p));
            var compilation = CSharpCompilation.Create(
                "layers", trees, references, new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
            var graph = new SourceGraph();
            foreach (var tree in trees)
            {
                graph.Add(tree, compilation.GetSemanticModel(tree));
            }

            return graph;
        }

        private void Add(SyntaxTree tree, SemanticModel model)
        {
            string folder = Path.GetDirectoryName(tree.FilePath)!.Replace(Path.DirectorySeparatorChar, '.');
            var root = tree.GetRoot();
            if (root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault() is { } declared)
            {
                string expected = folder.Length == 0 ? Root : $"{Root}.{folder}";
                if (declared.Name.ToString() != expected)
                {
                    Misplaced.Add($"{tree.FilePath}: namespace {declared.Name}, expected {expected}");
                }
            }

            if (folder.Length == 0)
            {
                return;
            }

            foreach (var name in root.DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var symbol = model.GetSymbolInfo(name).Symbol ?? model.GetSymbolInfo(name).CandidateSymbols.FirstOrDefault();
                var type = symbol switch
                {
                    INamedTypeSymbol named => named,
                    IMethodSymbol { ReducedFrom: { } extension } => extension.ContainingType,
                    IMethodSymbol method => method.ContainingType,
                    IPropertySymbol or IFieldSymbol or IEventSymbol => symbol.ContainingType,
                    _ => null,
                };
                while (type?.ContainingType is { } outer)
                {
                    type = outer;
                }

                if (type is null || type.Locations.FirstOrDefault() is not { IsInSource: true } location)
                {
                    continue;
                }

                string? target = Path.GetDirectoryName(location.SourceTree!.FilePath)?.Replace(Path.DirectorySeparatorChar, '.');
                if (!string.IsNullOrEmpty(target) && target != folder)
                {
                    Uses(folder, target).Add($"{Path.GetFileName(tree.FilePath)} uses {type.Name}");
                }
            }
        }

        private HashSet<string> Uses(string from, string to)
        {
            if (!_edges.TryGetValue(from, out var targets))
            {
                _edges[from] = targets = new(StringComparer.Ordinal);
            }

            if (!targets.TryGetValue(to, out var why))
            {
                targets[to] = why = new(StringComparer.Ordinal);
            }

            return why;
        }

        /// <summary>Groups of folders that reach each other (Tarjan's strongly connected components of more than one).</summary>
        public List<List<string>> Cycles()
        {
            var index = new Dictionary<string, int>();
            var low = new Dictionary<string, int>();
            var stack = new Stack<string>();
            var onStack = new HashSet<string>();
            var found = new List<List<string>>();
            foreach (string node in _edges.Keys.Concat(_edges.Values.SelectMany(t => t.Keys)).Distinct().Order(StringComparer.Ordinal))
            {
                if (!index.ContainsKey(node))
                {
                    Visit(node);
                }
            }

            return found;

            void Visit(string node)
            {
                index[node] = low[node] = index.Count;
                stack.Push(node);
                onStack.Add(node);
                foreach (string next in _edges.GetValueOrDefault(node)?.Keys ?? Enumerable.Empty<string>())
                {
                    if (!index.ContainsKey(next))
                    {
                        Visit(next);
                        low[node] = Math.Min(low[node], low[next]);
                    }
                    else if (onStack.Contains(next))
                    {
                        low[node] = Math.Min(low[node], index[next]);
                    }
                }

                if (low[node] == index[node])
                {
                    var component = new List<string>();
                    string member;
                    do
                    {
                        member = stack.Pop();
                        onStack.Remove(member);
                        component.Add(member);
                    }
                    while (member != node);
                    if (component.Count > 1)
                    {
                        found.Add(component);
                    }
                }
            }
        }

        public string Explain(List<string> cycle) => string.Join("; ", cycle.SelectMany(from => cycle
            .Where(to => _edges.GetValueOrDefault(from)?.ContainsKey(to) == true)
            .Select(to => $"{from} -> {to} ({string.Join(", ", _edges[from][to].Take(3))})")));
    }
}
