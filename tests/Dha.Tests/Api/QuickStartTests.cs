namespace Dha.Tests.Api;

/// <summary>
/// The README's first C# block is examples/QuickStart/Program.cs, which the build compiles against the library; so
/// the program a reader copies first cannot drift from the API.
/// </summary>
public sealed class QuickStartTests
{
    private const string Fence = "```csharp\n";

    [Fact]
    public void The_first_csharp_block_of_the_readme_is_the_quick_start_program()
    {
        var root = RepositoryRoot();
        var readme = Normalise(File.ReadAllText(Path.Combine(root, "README.md")));
        var start = readme.IndexOf(Fence, StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no C# block");
        start += Fence.Length;
        var end = readme.IndexOf("```", start, StringComparison.Ordinal);
        var program = Normalise(File.ReadAllText(Path.Combine(root, "examples", "QuickStart", "Program.cs")));

        Assert.Equal(program, readme[start..end]);
    }

    private static string Normalise(string text) => text.ReplaceLineEndings("\n");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dha.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Dha.sln above {AppContext.BaseDirectory}");
    }
}
