using SemanticRouter.Grpc.V1;

namespace SemanticRouter.Server.Tests.Functional;

/// <summary>Freezes the names and field numbers that clients written today rely on.</summary>
public class ContractTests
{
    [Fact]
    public void Service_NamesAreFixed()
    {
        var service = Router.Descriptor;
        Assert.Equal("semantic_router.v1.Router", service.FullName);
        Assert.Equal(
            ["RankModels", "RecordOutcome", "InspectNeighbors", "ListRoutes", "AddUtterances", "ReloadIndex"],
            service.Methods.Select(m => m.Name));
    }

    [Fact]
    public void Messages_FieldNumbersAreFixed()
    {
        Assert.Equal(1, RankModelsRequest.QueryFieldNumber);
        Assert.Equal(2, RankModelsRequest.KFieldNumber);
        Assert.Equal(Google.Protobuf.Reflection.FieldType.Int32, RankModelsRequest.Descriptor.FindFieldByName("k").FieldType);
        Assert.Equal(1, RankModelsResponse.RequestIdFieldNumber);
        Assert.Equal(2, RankModelsResponse.ModelsFieldNumber);
        Assert.Equal(1, RankedModel.ModelFieldNumber);
        Assert.Equal(2, RankedModel.ScoreFieldNumber);
        Assert.Equal(Google.Protobuf.Reflection.FieldType.Double, RankedModel.Descriptor.FindFieldByName("score").FieldType);
        Assert.Equal(["candidates", "excluded", "history", "cost_weight", "include_neighbors", "metadata"],
            RankModelsRequest.Descriptor.Fields.InFieldNumberOrder().Skip(2).Select(f => f.Name));
    }
}
