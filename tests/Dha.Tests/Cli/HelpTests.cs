using Dha.Cli;

namespace Dha.Tests.Cli;

/// <summary><c>--help</c> of the tool and of each verb lists every option and exits 0.</summary>
public sealed class HelpTests
{
    [Theory]
    [InlineData("search", new[] { "--preset", "--data", "--mode", "--out", "--seed", "--time", "--config", "--set", "--resume", "--quiet", "--verbose" })]
    [InlineData("train", new[] { "--genotype", "--preset", "--data", "--out", "--seed", "--config", "--set", "--resume", "--quiet", "--verbose" })]
    [InlineData("evaluate", new[] { "<MODEL>", "--data", "--json" })]
    [InlineData("predict", new[] { "<MODEL>", "<IMAGE>", "--json" })]
    public void Help_of_a_verb_lists_every_option_and_exits_0(string verb, string[] names)
    {
        var result = DhaTool.Run(verb, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains($"dha {verb}", result.Output);
        foreach (var name in names)
        {
            Assert.Contains(name, result.Output);
        }
        // and every option the command defines, with its aliases, so a new option cannot be left out of the help
        var command = Program.CreateRootCommand().Subcommands.Single(c => c.Name == verb);
        foreach (var option in command.Options)
        {
            Assert.Contains(option.Name, result.Output);
            Assert.All(option.Aliases, alias => Assert.Contains(alias, result.Output));
            if (!string.IsNullOrEmpty(option.Description))
            {
                Assert.Contains(Squeeze(option.Description), Squeeze(result.Output));
            }
        }
    }

    // help may wrap long descriptions: compare with runs of white space made one space
    private static string Squeeze(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    [Fact]
    public void Help_of_dha_lists_every_verb_and_exits_0()
    {
        var result = DhaTool.Run("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Contains("--version", result.Output);
        foreach (var verb in new[] { "search", "train", "evaluate", "predict", "datasets" })
        {
            Assert.Contains(result.OutputLines, line => line.TrimStart().StartsWith(verb, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("-?")]
    public void The_short_help_aliases_work_too(string alias)
    {
        Assert.Equal(DhaTool.Run("search", "--help").Output, DhaTool.Run("search", alias).Output);
    }

    [Fact]
    public void Bare_dha_prints_the_help_and_exits_0()
    {
        var result = DhaTool.Run();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Equal(DhaTool.Run("--help").Output, result.Output);
        Assert.Contains("  dha [command] [options]", result.OutputLines);
    }

    [Fact]
    public void An_unknown_verb_is_still_an_error()
    {
        var result = DhaTool.Run("serach");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Equal(["dha: Unrecognized command or argument 'serach'."], result.ErrorLines);
    }

    [Theory]
    [InlineData("se", new[] { "search", "datasets" })]
    [InlineData("search --qu", new[] { "--quiet" })]
    [InlineData("evaluate model --j", new[] { "--json" })]
    [InlineData("datasets ins", new[] { "inspect" })]
    public void The_suggest_directive_of_shell_completion_completes_verbs_and_options(string typed, string[] expected)
    {
        // what dotnet-suggest's shell shims run for a half-typed command line, the cursor at its end
        var result = DhaTool.Run($"[suggest:{typed.Length}]", typed);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Error);
        Assert.Equal(expected.Order(StringComparer.Ordinal), result.OutputLines.Order(StringComparer.Ordinal));
    }
}
