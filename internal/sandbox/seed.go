package sandbox

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

//go:embed seed.json
var seedJSON []byte

// seedData is the organisation the sandbox hosts. Everything in it but the customers is
// read-only through the API, so it lives in memory; the customers are written to the
// store once, when the store is first created (and again after Reset).
type seedData struct {
	Organization struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"organization"`
	Departments []department                 `json:"departments"`
	Users       []seedUser                   `json:"users"`
	Pools       []json.RawMessage            `json:"pools"`
	FieldMaps   map[string][]fieldMapEntry   `json:"field_maps"`
	Regions     []region                     `json:"regions"`
	Customers   []map[string]json.RawMessage `json:"customers"`

	// derived
	poolIDs     map[int64]string // pool id -> name
	deptByID    map[int64]department
	regionByID  map[int64]region
	customerSel map[string]map[string]fieldValue // select field -> option id -> option
}

type department struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	ParentID *int64 `json:"parent_id"`
}

type seedUser struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	DepartmentID int64  `json:"department_id"`
	Role         string `json:"role"`
	Admin        bool   `json:"admin"`
}

type fieldMapEntry struct {
	ID          int64        `json:"id"`
	FieldName   string       `json:"field_name"`
	FieldLabel  string       `json:"field_label"`
	FieldType   string       `json:"field_type"`
	FieldValues []fieldValue `json:"field_values"`
}

type fieldValue struct {
	ID       int64  `json:"id"`
	Value    string `json:"value"`
	Position int    `json:"position"`
	Status   string `json:"status"`
}

type region struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

func loadSeed() (*seedData, error) {
	var s seedData
	if err := json.Unmarshal(seedJSON, &s); err != nil {
		return nil, fmt.Errorf("sandbox: bad embedded seed: %w", err)
	}
	if len(s.Users) == 0 || len(s.Pools) == 0 {
		return nil, fmt.Errorf("sandbox: bad embedded seed: no users or no pools")
	}
	s.poolIDs = map[int64]string{}
	for _, raw := range s.Pools {
		var p struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("sandbox: bad embedded seed pool: %w", err)
		}
		s.poolIDs[p.ID] = p.Name
	}
	s.deptByID = map[int64]department{}
	for _, d := range s.Departments {
		s.deptByID[d.ID] = d
	}
	s.regionByID = map[int64]region{}
	for _, r := range s.Regions {
		s.regionByID[r.ID] = r
	}
	s.customerSel = map[string]map[string]fieldValue{}
	for name, fm := range s.FieldMaps {
		for i := range fm {
			sort.SliceStable(fm[i].FieldValues, func(a, b int) bool {
				return fm[i].FieldValues[a].Position < fm[i].FieldValues[b].Position
			})
		}
		if name != "customer" {
			continue
		}
		for _, f := range fm {
			opts := map[string]fieldValue{}
			for _, v := range f.FieldValues {
				opts[strconv.FormatInt(v.ID, 10)] = v
			}
			s.customerSel[f.FieldName] = opts
		}
	}
	return &s, nil
}

func (s *seedData) user(id int64) (seedUser, bool) {
	for _, u := range s.Users {
		if u.ID == id {
			return u, true
		}
	}
	return seedUser{}, false
}
