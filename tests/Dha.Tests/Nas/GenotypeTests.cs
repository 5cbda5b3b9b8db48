using Dha.Nas;

namespace Dha.Tests.Nas;

public class GenotypeTests
{
    [Fact]
    public void Darts_v2_holds_the_published_cells()
    {
        var g = Genotype.DartsV2;
        var normal = new (string, int)[]
        {
            ("sep_conv_3x3", 0), ("sep_conv_3x3", 1), ("sep_conv_3x3", 0), ("sep_conv_3x3", 1),
            ("sep_conv_3x3", 1), ("skip_connect", 0), ("skip_connect", 0), ("dil_conv_3x3", 2),
        };
        var reduce = new (string, int)[]
        {
            ("max_pool_3x3", 0), ("max_pool_3x3", 1), ("skip_connect", 2), ("max_pool_3x3", 1),
            ("max_pool_3x3", 0), ("skip_connect", 2), ("skip_connect", 2), ("max_pool_3x3", 1),
        };
        Assert.Equal(normal, g.Normal.Select(e => (e.Op.ToText(), e.Input)).ToArray());
        Assert.Equal(reduce, g.Reduce.Select(e => (e.Op.ToText(), e.Input)).ToArray());
        Assert.Equal([new GenotypeEdge(Primitive.SkipConnect, 0), new GenotypeEdge(Primitive.DilConv3x3, 2)], g.Node(CellType.Normal, 3));
    }

    [Fact]
    public void Text_form_reads_like_darts_and_round_trips()
    {
        var text = Genotype.DartsV2.ToString();
        Assert.StartsWith("normal=[sep_conv_3x3@0 sep_conv_3x3@1 | sep_conv_3x3@0", text, StringComparison.Ordinal);
        Assert.Contains("reduce=[max_pool_3x3@0 max_pool_3x3@1 | skip_connect@2", text, StringComparison.Ordinal);
        Assert.Equal(Genotype.DartsV2, Genotype.Parse(text));
        Assert.Equal(NasFixtures.Mixed, Genotype.Parse(NasFixtures.Mixed.ToString()));
        Assert.NotEqual(Genotype.DartsV2, NasFixtures.Mixed);
    }

    [Fact]
    public void The_python_darts_form_is_accepted()
    {
        const string darts = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
            + "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], "
            + "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), "
            + "('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])";
        Assert.Equal(Genotype.DartsV2, Genotype.Parse(darts));
    }

    [Fact]
    public void Json_round_trips_with_darts_names()
    {
        var json = NasFixtures.Mixed.ToJson();
        Assert.Contains("{\"op\":\"sep_conv_3x3\",\"input\":0}", json, StringComparison.Ordinal);
        Assert.Equal(NasFixtures.Mixed, Genotype.FromJson(json));
        Assert.Equal(Genotype.DartsV2, Genotype.FromJson(Genotype.DartsV2.ToJson()));
        Assert.Equal(Genotype.DartsV2.GetHashCode(), Genotype.FromJson(Genotype.DartsV2.ToJson()).GetHashCode());
    }

    [Theory]
    [InlineData("normal=[sep_conv_3x3@0] reduce=[max_pool_3x3@0]")]
    [InlineData("normal=[sep_conv_3x3@0 sep_conv_3x3@1 | sep_conv_3x3@0 sep_conv_3x3@1 | sep_conv_3x3@1 skip_connect@0 | skip_connect@0 dil_conv_3x3@5] reduce=[max_pool_3x3@0 max_pool_3x3@1 | skip_connect@2 max_pool_3x3@1 | max_pool_3x3@0 skip_connect@2 | skip_connect@2 max_pool_3x3@1]")]
    [InlineData("normal=[conv_7x7@0 sep_conv_3x3@1 | sep_conv_3x3@0 sep_conv_3x3@1 | sep_conv_3x3@1 skip_connect@0 | skip_connect@0 dil_conv_3x3@2] reduce=[max_pool_3x3@0 max_pool_3x3@1 | skip_connect@2 max_pool_3x3@1 | max_pool_3x3@0 skip_connect@2 | skip_connect@2 max_pool_3x3@1]")]
    [InlineData("normal=[sep_conv_3x3@0 sep_conv_3x3@1 | sep_conv_3x3@0 sep_conv_3x3@1 | sep_conv_3x3@1 skip_connect@0 | skip_connect@0 dil_conv_3x3@2]")]
    [InlineData("normal=[sep_conv_3x3@0 sep_conv_3x3 1 | sep_conv_3x3@0 sep_conv_3x3@1 | sep_conv_3x3@1 skip_connect@0 | skip_connect@0 dil_conv_3x3@2] reduce=[]")]
    public void Malformed_text_is_reported_as_bad_input(string text)
    {
        Assert.Throws<InvalidInputException>(() => Genotype.Parse(text));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"normal\":[],\"reduce\":[]}")]
    [InlineData("{\"normal\":[{\"op\":\"sep_conv_3x3\"}]}")]
    [InlineData("{\"normal\": 3")]
    public void Malformed_json_is_reported_as_bad_input(string json)
    {
        Assert.Throws<InvalidInputException>(() => Genotype.FromJson(json));
    }

    [Fact]
    public void Primitive_names_round_trip()
    {
        Assert.Equal("sep_conv_3x3", Primitive.SepConv3x3.ToText());
        Assert.All(Primitives.All, p => Assert.Equal(p, Primitives.Parse(p.ToText())));
        Assert.Equal(7, Primitives.All.Select(p => p.ToText()).Distinct().Count());
        Assert.Throws<InvalidInputException>(() => Primitives.Parse("none"));
    }
}
