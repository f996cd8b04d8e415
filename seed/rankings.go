package seed

import (
	"slices"

	"github.com/dianshubao/dianshubao/models"
)

// rankingTags are the sub-sectors the complaint rankings (投诉榜) are shown for, each with the
// sector whose platforms carry it.
var rankingTags = []struct {
	tag    string
	sector models.Sector
}{
	{"二手电商", models.SectorDigitalRetail}, {"生鲜电商", models.SectorDigitalRetail},
	{"移动出行", models.SectorDigitalLife}, {"在线票务", models.SectorDigitalLife},
	{"跨境电商", models.SectorCrossBorder}, {"物流科技", models.SectorLogistics},
}

// tagForRankings gives each sub-sector of rankingTags to the busiest platform of its sector
// (of all platforms when the sector has none), so that every sub-sector's ranking lists
// someone. order is the platform index of each volume rank. It changes no random draw: the
// rest of the data is the same as without it.
func tagForRankings(platforms []*platformPlan, order []int) {
	for _, rt := range rankingTags {
		if slices.ContainsFunc(platforms, func(p *platformPlan) bool { return slices.Contains(p.Tags, rt.tag) }) {
			continue
		}
		pick := -1
		for _, i := range order {
			if platforms[i].Sector == rt.sector {
				pick = i
				break
			}
		}
		if pick < 0 && len(order) > 0 {
			pick = order[0]
		}
		if pick >= 0 {
			platforms[pick].Tags = append(platforms[pick].Tags, rt.tag)
		}
	}
}
