package story

import (
	_ "embed"
	"fmt"

	"go.yaml.in/yaml/v3"
)

//go:embed places.yaml
var placesYAML []byte

// Place is one entry of the place gazetteer: a region, town or locality
// of the Sahel or its neighbours.
type Place struct {
	ID      string   `yaml:"id"`
	Country string   `yaml:"country"`
	Kind    string   `yaml:"kind"`
	Region  string   `yaml:"region"`
	Names   []string `yaml:"names"`
	// Ambiguous names are also common words, people or places elsewhere:
	// they count only in a text that names the place's country.
	Ambiguous bool `yaml:"ambiguous"`
}

// places is the compiled place gazetteer.
type places struct {
	list    []Place
	region  []int32 // per place: its region's index, or its own
	byName  *matcher
	byID    map[string]int32
	country map[string]bool // countries that have places
}

func loadPlaces(data []byte) (*places, error) {
	var spec struct {
		Places []Place `yaml:"places"`
	}
	if err := yaml.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("story: places: %w", err)
	}
	p := &places{list: spec.Places, byName: newMatcher(), byID: map[string]int32{}, country: map[string]bool{}}
	for i, pl := range p.list {
		if pl.ID == "" || pl.Country == "" || len(pl.Names) == 0 {
			return nil, fmt.Errorf("story: places: entry %d (%q) needs id, country and names", i+1, pl.ID)
		}
		if _, dup := p.byID[pl.ID]; dup {
			return nil, fmt.Errorf("story: places: id %q is defined twice", pl.ID)
		}
		p.byID[pl.ID] = int32(i)
		p.country[pl.Country] = true
		for _, n := range pl.Names {
			if err := p.byName.add(n, int32(i)); err != nil {
				return nil, fmt.Errorf("story: places: %s: %w", pl.ID, err)
			}
		}
	}
	p.region = make([]int32, len(p.list))
	for i, pl := range p.list {
		p.region[i] = int32(i)
		if pl.Region == "" {
			continue
		}
		r, ok := p.byID[pl.Region]
		if !ok {
			return nil, fmt.Errorf("story: places: %s: region %q is not a place id", pl.ID, pl.Region)
		}
		p.region[i] = r
	}
	return p, nil
}

// near reports whether places a and b may be where one event happened:
// the same place, or one is the region the other lies in. Two towns of one
// region are not near: two attacks a week in Tillabéri region are told
// apart by their towns.
func (p *places) near(a, b int32) bool {
	return a == b || p.region[a] == b || p.region[b] == a
}
