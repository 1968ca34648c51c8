import pandas as pd, numpy as np, scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
df = pd.read_csv('data/AnnoMI-simple.csv')
rows=[]
for tid,g in df.groupby('transcript_id', sort=False):
    g=g.sort_values('utterance_id'); L=g.to_dict('records')
    for i,r in enumerate(L):
        if r['interlocutor']!='client': continue
        prev = next((L[j]['utterance_text'] for j in range(i-1,-1,-1) if L[j]['interlocutor']=='therapist'), '')
        nxt = next((L[j]['utterance_text'] for j in range(i+1,len(L)) if L[j]['interlocutor']=='therapist'), '')
        nxt1 = L[i+1]['utterance_text'] if i+1<len(L) and L[i+1]['interlocutor']=='therapist' else ''
        nb = L[i+1]['main_therapist_behaviour'] if i+1<len(L) and L[i+1]['interlocutor']=='therapist' else 'none'
        rows.append(dict(fold=tid%5, y=r['client_talk_type'], t=str(r['utterance_text']), p=str(prev), n=str(nxt1), nb=nb))
d=pd.DataFrame(rows); d=d[d.fold!=0].reset_index(drop=True)
print(d.y.value_counts())
def run(use_p, use_n, wn=1.0):
    preds=np.empty(len(d),dtype=object)
    for f in [1,2,3,4]:
        tr=d.fold!=f; te=d.fold==f
        mats_tr=[];mats_te=[]
        for col,use,w in [('t',True,1.0),('p',use_p,0.5),('n',use_n,wn)]:
            if not use: continue
            v=TfidfVectorizer(ngram_range=(1,2),min_df=2,sublinear_tf=True)
            mats_tr.append(w*v.fit_transform(d.t[tr] if col=='t' else d[col][tr])); mats_te.append(w*v.transform(d[col][te]))
        v=TfidfVectorizer(analyzer='char_wb',ngram_range=(2,5),min_df=2,sublinear_tf=True)
        mats_tr.append(0.5*v.fit_transform(d.t[tr])); mats_te.append(0.5*v.transform(d.t[te]))
        m=LogisticRegression(C=4,class_weight='balanced',max_iter=2000).fit(sp.hstack(mats_tr),d.y[tr])
        preds[te.values]=m.predict(sp.hstack(mats_te))
    return f1_score(d.y,preds,average='macro')
print('text', run(False,False))
print('text+prev', run(True,False))
print('text+prev+next', run(True,True))
print('text+prev+next0.5', run(True,True,0.5))
